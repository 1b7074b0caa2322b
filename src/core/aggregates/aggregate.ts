import { mergeMoments, type Moments, type MomentsSummary, summarizeMoments, type TimedValue } from './kinds/moments';
import { sketchQuantiles } from './kinds/quantiles';
import { DEFAULT_SKETCH_ACCURACY } from './sketch';
import { SketchBins } from './sketchBins';
import { mergeEncodedAllBinary, mergeEncodedBinary } from './sketchCodec';

export type { TimedValue } from './kinds/moments';

/**
 * What a bare measure (`measures: {name: expr}`) keeps: the `moments` aggregator's state and the `quantiles`
 * aggregator's DDSketch side by side, as one JSON object (the shape entity state and Windows rows have always held).
 */
export interface Aggregate extends Moments {
  /** DDSketch bins, base64 (see sketchCodec.ts). */
  sketch: string;
  accuracy: number;
}

export interface Summary extends MomentsSummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/**
 * Mutable accumulator for the hot path (one per window and measure in a batch); `toAggregate` freezes it to JSON.
 * The `moments` module's MomentsBuilder and the `quantiles` module's sketch bins fused into one flat class: the same
 * arithmetic as MomentsBuilder (kinds/moments.ts), repeated here because a subclass of it cost the default pipeline
 * about a quarter of its core-bench ratio (`npm run bench`: 0.51 -> 0.38 in alternating runs). First and last are kept
 * as scalars so that adding a value allocates nothing. Tested equal to the two modules in aggregate.test.ts.
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
    // Ties on time are broken by value, as in MomentsBuilder, so the result does not depend on arrival order.
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
  return withSketch(mergeMoments(a, b), mergeEncodedBinary(a.sketch, b.sketch, a.accuracy), a.accuracy);
}

/**
 * Merged moments and sketch as one Aggregate, written out rather than spread: the stream entity merges every window
 * piece this way, and spreading a fresh object cost it a copy through a slower path. Same keys in the same order as
 * toAggregate, so the same JSON and the same object shape.
 */
function withSketch(m: Moments, sketch: string, accuracy: number): Aggregate {
  return {
    count: m.count,
    sum: m.sum,
    min: m.min,
    max: m.max,
    mean: m.mean,
    m2: m.m2,
    first: m.first,
    last: m.last,
    sketch,
    accuracy,
  };
}

/**
 * `aggregates.reduce(mergeAggregates)` (at least one), with the sketches merged in one pass (mergeEncodedAllBinary):
 * the same moments and the same sketch bytes, without re-encoding the running sketch after every step.
 */
export function mergeAggregatesAll(aggregates: readonly Aggregate[]): Aggregate {
  const nonEmpty = aggregates.filter((a) => a.count !== 0);
  const first = nonEmpty[0];
  if (first === undefined) {
    if (aggregates[0] === undefined) throw new Error('mergeAggregatesAll: expected at least one aggregate, found none');
    return aggregates[0];
  }
  if (nonEmpty.length === 1) return first;
  let m: Moments = first;
  for (let i = 1; i < nonEmpty.length; i++) m = mergeMoments(m, nonEmpty[i] as Aggregate);
  return withSketch(
    m,
    mergeEncodedAllBinary(
      nonEmpty.map((a) => a.sketch),
      first.accuracy,
    ),
    first.accuracy,
  );
}

export function mergeAll(aggregates: readonly Aggregate[], accuracy: number = DEFAULT_SKETCH_ACCURACY): Aggregate {
  return aggregates.reduce(mergeAggregates, emptyAggregate(accuracy));
}

export function summarize(agg: Aggregate): Summary {
  const m = summarizeMoments(agg);
  if (agg.count === 0) return { ...m, p50: null, p90: null, p99: null };
  const { p50, p90, p99 } = sketchQuantiles(agg.sketch, agg.min, agg.max);
  return { ...m, p50, p90, p99 };
}
