import { z } from 'zod';

import { type AggregateBuilder, defineAggregator } from '../aggregator';
import { ByteReader, ByteWriter } from '../bytes';

/** A value at an event time; first/last keep the earliest/latest by event time. */
export interface TimedValue {
  time: number;
  value: number;
}

/**
 * Count, sum, extremes, first/last and the moments of a numeric value. `m2` is the sum of squared deviations from the
 * mean (Welford/Chan), so variance merges in parallel. Empty: count 0 and null extremes.
 */
export interface Moments {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number;
  m2: number;
  first: TimedValue | null;
  last: TimedValue | null;
}

export interface MomentsSummary {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (n - 1); 0 for a single value, null when empty. */
  stddev: number | null;
  first: number | null;
  last: number | null;
}

// Ties on time are broken by value so that merge stays commutative.
const earlier = (a: TimedValue, b: TimedValue): boolean => a.time < b.time || (a.time === b.time && a.value < b.value);
const later = (a: TimedValue, b: TimedValue): boolean => a.time > b.time || (a.time === b.time && a.value > b.value);

/** Hot-path accumulation: first and last kept as scalars so that adding a value allocates nothing. */
export class MomentsBuilder implements AggregateBuilder<Moments> {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  mean = 0;
  m2 = 0;
  private firstTime = Infinity;
  private firstValue = 0;
  private lastTime = -Infinity;
  private lastValue = 0;

  add(value: number | string, time: number): void {
    const v = value as number;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const delta = v - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (v - this.mean);
    // Ties on time are broken by value, as in `earlier`/`later`, so the result does not depend on arrival order.
    if (time < this.firstTime || (time === this.firstTime && v < this.firstValue)) {
      this.firstTime = time;
      this.firstValue = v;
    }
    if (time > this.lastTime || (time === this.lastTime && v > this.lastValue)) {
      this.lastTime = time;
      this.lastValue = v;
    }
  }

  state(): Moments {
    const empty = this.count === 0;
    return {
      count: this.count,
      sum: this.sum,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      mean: this.mean,
      m2: this.m2,
      first: empty ? null : { time: this.firstTime, value: this.firstValue },
      last: empty ? null : { time: this.lastTime, value: this.lastValue },
    };
  }
}

/** Associative and commutative (exact for count/integer sums/min/max/first/last; mean/m2 up to rounding). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (b.count === 0) return a;
  if (a.count === 0) return b;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    sum: a.sum + b.sum,
    min: Math.min(a.min as number, b.min as number),
    max: Math.max(a.max as number, b.max as number),
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    first: a.first && b.first ? (earlier(b.first, a.first) ? b.first : a.first) : (a.first ?? b.first),
    last: a.last && b.last ? (later(b.last, a.last) ? b.last : a.last) : (a.last ?? b.last),
  };
}

export function summarizeMoments(m: Moments): MomentsSummary {
  if (m.count === 0)
    return { count: 0, sum: 0, min: null, max: null, mean: null, stddev: null, first: null, last: null };
  return {
    count: m.count,
    sum: m.sum,
    min: m.min,
    max: m.max,
    mean: m.mean,
    stddev: m.count > 1 ? Math.sqrt(Math.max(0, m.m2) / (m.count - 1)) : 0,
    first: m.first?.value ?? null,
    last: m.last?.value ?? null,
  };
}

const VERSION = 1;

/** count, sum, mean, m2, then min/max/first/last only when not empty: 33 bytes empty, 81 otherwise (before base64). */
function encodeMoments(m: Moments): string {
  const w = new ByteWriter().byte(VERSION).double(m.count).double(m.sum).double(m.mean).double(m.m2);
  if (m.count > 0) {
    w.double(m.min as number).double(m.max as number);
    const first = m.first as TimedValue;
    const last = m.last as TimedValue;
    w.double(first.time).double(first.value).double(last.time).double(last.value);
  }
  return w.toBase64();
}

function decodeMoments(encoded: string): Moments {
  const r = new ByteReader(encoded, 'moments');
  r.version(VERSION);
  const [count, sum, mean, m2] = [r.double(), r.double(), r.double(), r.double()];
  if (count === 0) {
    r.end();
    return { count, sum, min: null, max: null, mean, m2, first: null, last: null };
  }
  const [min, max] = [r.double(), r.double()];
  const first = { time: r.double(), value: r.double() };
  const last = { time: r.double(), value: r.double() };
  r.end();
  return { count, sum, min, max, mean, m2, first, last };
}

/** `kind: "moments"`: what a bare measure gives without its quantiles. */
export const moments = defineAggregator({
  kind: 'moments',
  description:
    'count, sum, min, max, mean, stddev, first and last of a number (exact but for floating-point rounding of mean and stddev).',
  input: 'number',
  options: z.strictObject({}),
  create: () => new MomentsBuilder(),
  merge: mergeMoments,
  summarize: summarizeMoments,
  encode: encodeMoments,
  decode: decodeMoments,
});
