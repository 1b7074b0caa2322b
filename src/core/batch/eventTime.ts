import { describeValue } from '../expressions';
import { MAX_EVENT_TIME } from '../windows';

export type TimeResult = { ok: true; time: number } | { ok: false; detail: string };

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Event time from an ISO-8601 string or epoch milliseconds. ISO strings without a zone are UTC (JavaScript would
 * read them as local time, which would make results depend on the host's zone).
 */
export function parseEventTime(value: unknown, field: string): TimeResult {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= MAX_EVENT_TIME) return { ok: true, time: Math.floor(value) };
    return { ok: false, detail: `${field}: expected epoch milliseconds between 0 and ${MAX_EVENT_TIME}, found ${describeValue(value)}` };
  }
  if (typeof value === 'string') {
    const match = ISO.exec(value.trim());
    if (match) {
      const text = match[1] === undefined && value.length > 10 ? `${value.trim()}Z` : value.trim();
      const ms = Date.parse(text);
      if (Number.isFinite(ms) && ms >= 0 && ms <= MAX_EVENT_TIME) return { ok: true, time: ms };
    }
  }
  return { ok: false, detail: `${field}: expected an ISO-8601 time like "2026-11-26T10:00:00Z" or epoch milliseconds, found ${describeValue(value)}` };
}

/** Enqueued time as the trigger gives it; undefined when unreadable. */
export function parseEnqueuedTime(value: string | number | Date | undefined): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (value === undefined) return undefined;
  const parsed = parseEventTime(value, 'enqueuedTime');
  return parsed.ok ? parsed.time : undefined;
}
