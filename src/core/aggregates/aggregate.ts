import { decodeSketch, DEFAULT_SKETCH_ACCURACY, quantile } from './sketch';
import { SketchBins } from './sketchBins';
import { mergeEncodedBinary } from './sketchCodec';

/** A point of a measure at an event time; first/last keep the earliest/latest by event time. */
export interface TimedValue {
  time: number;
  value: number;
}

/**
 * JSON-safe, mergeable aggregate of one measure. `m2` is the sum of squared deviations from the mean
 * (Welford/Chan), so variance merges exactly in parallel. An empty aggregate has count 0 and null extremes.
 */
export interface Aggregate {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number;
  m2: number;
  first: TimedValue | null;
  last: TimedValue | null;
  /** DDSketch bins, base64 (see sketchCodec.ts). */
  sketch: string;
  accuracy: number;
}

export interface Summary {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (n - 1); 0 for a single value, null when empty. */
  stddev: number | null;
  first: number | null;
  last: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

// Ties on time are broken by value so that merge stays commutative.
const earlier = (a: TimedValue, b: TimedValue): boolean => a.time < b.time || (a.time === b.time && a.value < b.value);
const later = (a: TimedValue, b: TimedValue): boolean => a.time > b.time || (a.time === b.time && a.value > b.value);

/**
 * Mutable accumulator for the hot path (one per window and measure in a batch); `toAggregate` freezes it to JSON.
 * First and last are kept as scalars so that adding a value allocates nothing.
 */
export class Accumulator {
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
  private readonly sketch: SketchBins;

  constructor(readonly accuracy: number = DEFAULT_SKETCH_ACCURACY) {
    this.sketch = new SketchBins(accuracy);
  }

  add(value: number, time: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    // Ties on time are broken by value, as in `earlier`/`later`, so the result does not depend on arrival order.
    if (time < this.firstTime || (time === this.firstTime && value < this.firstValue)) {
      this.firstTime = time;
      this.firstValue = value;
    }
    if (time > this.lastTime || (time === this.lastTime && value > this.lastValue)) {
      this.lastTime = time;
      this.lastValue = value;
    }
    this.sketch.add(value);
  }

  toAggregate(): Aggregate {
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
      sketch: this.sketch.encode(),
      accuracy: this.accuracy,
    };
  }
}

export function emptyAggregate(accuracy: number = DEFAULT_SKETCH_ACCURACY): Aggregate {
  return new Accumulator(accuracy).toAggregate();
}

export function aggregateOf(values: readonly TimedValue[], accuracy: number = DEFAULT_SKETCH_ACCURACY): Aggregate {
  const acc = new Accumulator(accuracy);
  for (const v of values) acc.add(v.value, v.time);
  return acc.toAggregate();
}

/** Associative and commutative merge (exact for count/sum-of-integers/min/max/first/last; mean/m2 up to rounding). */
export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
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
    sketch: mergeEncodedBinary(a.sketch, b.sketch, a.accuracy),
    accuracy: a.accuracy,
  };
}

export function mergeAll(aggregates: readonly Aggregate[], accuracy: number = DEFAULT_SKETCH_ACCURACY): Aggregate {
  return aggregates.reduce(mergeAggregates, emptyAggregate(accuracy));
}

export function summarize(agg: Aggregate): Summary {
  if (agg.count === 0) {
    return { count: 0, sum: 0, min: null, max: null, mean: null, stddev: null, first: null, last: null, p50: null, p90: null, p99: null };
  }
  const min = agg.min as number;
  const max = agg.max as number;
  const sketch = decodeSketch(agg.sketch);
  return {
    count: agg.count,
    sum: agg.sum,
    min,
    max,
    mean: agg.mean,
    stddev: agg.count > 1 ? Math.sqrt(Math.max(0, agg.m2) / (agg.count - 1)) : 0,
    first: agg.first?.value ?? null,
    last: agg.last?.value ?? null,
    p50: quantile(sketch, 0.5, min, max),
    p90: quantile(sketch, 0.9, min, max),
    p99: quantile(sketch, 0.99, min, max),
  };
}
