/** Pure helpers of the dashboard (no DOM): formatting, sample parsing, sorting. Tested in format.test.ts. */
import { parseCsv } from '../../tools/send/parseCsv';

/** 1234 -> "1,234"; 1234567 -> "1.23 M"; null -> "–". */
export function fmtNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return Math.round(n).toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: abs > 0 && abs < 1 ? Math.max(digits, 2) : digits });
}

/** Milliseconds as "850 ms", "1.2 s", "3.4 min". */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** An ISO time or epoch ms as local "HH:MM:SS" (with the date when not today). */
export function fmtTime(t: string | number | null | undefined, now: number = Date.now()): string {
  if (t === null || t === undefined) return '–';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '–';
  const time = d.toLocaleTimeString('en-GB', { hour12: false });
  return new Date(now).toDateString() === d.toDateString() ? time : `${d.toISOString().slice(0, 10)} ${time}`;
}

export type SampleFormat = 'json' | 'ndjson' | 'csv';

/**
 * Sample events from pasted or uploaded text: a JSON array (or one object), NDJSON, or CSV with a header row. An NDJSON
 * line that is not JSON is kept as its raw text, so the test run dead-letters it exactly as ingest would.
 */
export function parseSamples(text: string): { format: SampleFormat; events: unknown[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { format: 'json', events: [] };
  if (trimmed.startsWith('[')) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (Array.isArray(value)) return { format: 'json', events: value };
    } catch {
      // Not one JSON document: NDJSON lines below.
    }
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 1 && trimmed.startsWith('{')) {
    try {
      return { format: 'json', events: [JSON.parse(trimmed) as unknown] };
    } catch {
      return { format: 'ndjson', events: [trimmed] };
    }
  }
  if (lines.some((l) => /^\s*[{[]/.test(l))) {
    return {
      format: 'ndjson',
      events: lines.map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          return l;
        }
      }),
    };
  }
  return { format: 'csv', events: parseCsv(trimmed) };
}

/** Rows sorted by one key (numbers numerically, the rest as text), stable; nulls last. */
export function sortRows<T>(
  rows: readonly T[],
  key: (row: T) => string | number | null | undefined,
  descending: boolean,
): T[] {
  return rows
    .map((row, i) => ({ row, i, k: key(row) }))
    .sort((a, b) => {
      if (a.k === b.k) return a.i - b.i;
      if (a.k === null || a.k === undefined) return 1;
      if (b.k === null || b.k === undefined) return -1;
      const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
      return (descending ? -c : c) || a.i - b.i;
    })
    .map((x) => x.row);
}

export interface FieldError {
  field: string;
  message: string;
}

/** The messages of a 400 problem grouped by the form field they belong to: `window.size` -> window.size, `measures.x` -> measures. */
export function errorsByField(errors: readonly FieldError[], fields: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    const field = fields.includes(e.field)
      ? e.field
      : (fields.find((f) => e.field.startsWith(`${f}.`)) ?? '(definition)');
    out.set(field, [...(out.get(field) ?? []), e.message]);
  }
  return out;
}

/** Counts per key of time bucket and category, for stacked bars: buckets ascending. */
export function bucketCounts<T>(
  items: readonly T[],
  time: (item: T) => number,
  category: (item: T) => string,
  bucketMs: number,
): { buckets: number[]; categories: string[]; counts: number[][] } {
  const buckets = [...new Set(items.map((i) => Math.floor(time(i) / bucketMs) * bucketMs))].sort((a, b) => a - b);
  const categories = [...new Set(items.map(category))].sort();
  const counts = categories.map(() => buckets.map(() => 0));
  for (const item of items) {
    const b = buckets.indexOf(Math.floor(time(item) / bucketMs) * bucketMs);
    const c = categories.indexOf(category(item));
    (counts[c] as number[])[b] = ((counts[c] as number[])[b] ?? 0) + 1;
  }
  return { buckets, categories, counts };
}

/** Cumulative sums of series (bottom first), so bars drawn tallest first read as a stack. */
export function stack(series: readonly (readonly number[])[]): number[][] {
  const out: number[][] = [];
  series.forEach((s, i) => out.push(s.map((v, j) => v + (i > 0 ? ((out[i - 1] as number[])[j] ?? 0) : 0))));
  return out;
}
