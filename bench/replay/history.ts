import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

import { mulberry32 } from '../../src/core/random/prng';

/** One flight record, the shape of the README's flights example. */
export interface FlightRecord {
  date: string;
  origin: string;
  destination: string;
  /** Departure delay in whole minutes (negative: early). */
  delay: number;
  /** Whole miles; about 4 % are at most 100 and fail the pipeline's filter `distance > 100`. */
  distance: number;
}

export interface HistoryShape {
  events: number;
  /** Distinct origins (stream keys). */
  keys: number;
  /** Days of event time the history spans. */
  days: number;
  seed: number;
  /** Epoch ms of the first possible event time (default 2025-01-01T00:00:00Z: in the past, so nothing is "future"). */
  startMs?: number;
  /** Zipf exponent of the key sizes (default 1: the k-th key has ~1/k of the first's events). */
  zipf?: number;
}

export const DEFAULT_HISTORY_START_MS = Date.parse('2025-01-01T00:00:00Z');

/** n distinct three-or-more-letter airport-like codes, in a seeded order (AAA, AAB, ... shuffled). */
export function airportCodes(n: number, random: () => number): string[] {
  const codes = new Set<string>();
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  while (codes.size < n) {
    // Past 26^3 codes (never in practice) a fourth letter keeps them distinct.
    const length = codes.size < 15_000 ? 3 : 4;
    let code = '';
    for (let i = 0; i < length; i++) code += letters[Math.floor(random() * 26)];
    codes.add(code);
  }
  return [...codes];
}

/** Cumulative Zipf weights over `keys` ranks: pick rank r with probability ~ 1 / (r + 1)^s. */
function zipfCumulative(keys: number, s: number): Float64Array {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let r = 0; r < keys; r++) {
    total += 1 / Math.pow(r + 1, s);
    cumulative[r] = total;
  }
  for (let r = 0; r < keys; r++) cumulative[r] = (cumulative[r] as number) / total;
  return cumulative;
}

function pick(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A deterministic, time-sorted flight history: `events` records over `days` days (second resolution, non-decreasing
 * times), origins drawn from `keys` codes with Zipf-skewed sizes, destinations likewise, integer delays (mostly
 * small, a long tail of large ones) and distances (so every sum is exact in floating point).
 */
export function* generateHistory(shape: HistoryShape): Generator<FlightRecord> {
  if (!(shape.events >= 1 && shape.keys >= 2 && shape.days > 0)) {
    throw new Error(
      `A history needs events >= 1, keys >= 2 and days > 0; found events ${shape.events}, keys ${shape.keys}, days ${shape.days}.`,
    );
  }
  const random = mulberry32(shape.seed);
  const codes = airportCodes(shape.keys, random);
  const cumulative = zipfCumulative(shape.keys, shape.zipf ?? 1);
  // Each origin's typical route length, so a key's distances look like its own.
  const typical = codes.map(() => 150 + Math.floor(random() * 2400));
  const start = shape.startMs ?? DEFAULT_HISTORY_START_MS;
  const spanMs = shape.days * 86_400_000;
  for (let i = 0; i < shape.events; i++) {
    // Event i lies in the i-th of `events` equal slices of the span: sorted by construction, randomly placed within.
    const t = start + Math.floor(((i + random()) * spanMs) / shape.events / 1000) * 1000;
    const o = pick(cumulative, random());
    let d = pick(cumulative, random());
    if (d === o) d = (d + 1) % shape.keys;
    const u = random();
    // Mostly around zero, a tenth delayed by up to five hours.
    const delay = u < 0.9 ? Math.round((random() - 0.35) * 40) : Math.round(random() * 300);
    // A short hop (<= 100, filtered out) about one time in 25.
    const distance =
      random() < 0.04
        ? 30 + Math.floor(random() * 71)
        : Math.max(101, (typical[o] as number) + Math.round((random() - 0.5) * 300));
    yield {
      date: new Date(t).toISOString().replace('.000Z', 'Z'),
      origin: codes[o] as string,
      destination: codes[d] as string,
      delay,
      distance,
    };
  }
}

/** Writes the history as NDJSON (one record per line); resolves with the number of lines written. */
export async function writeHistoryNdjson(file: string, shape: HistoryShape): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let n = 0;
  let chunk = '';
  for (const record of generateHistory(shape)) {
    chunk += `${JSON.stringify(record)}\n`;
    n++;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return n;
}
