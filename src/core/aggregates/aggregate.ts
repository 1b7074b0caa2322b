import { mergeMoments, type Moments, MomentsBuilder, type MomentsSummary, summarizeMoments, type TimedValue } from './kinds/moments';
import { sketchQuantiles } from './kinds/quantiles';
import { DEFAULT_SKETCH_ACCURACY } from './sketch';
import { SketchBins } from './sketchBins';
import { mergeEncodedBinary } from './sketchCodec';

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
 * The moments builder plus the sketch's bins.
 */
export class Accumulator extends MomentsBuilder {
  private readonly sketch: SketchBins;

  constructor(readonly accuracy: number = DEFAULT_SKETCH_ACCURACY) {
    super();
    this.sketch = new SketchBins(accuracy);
  }

  override add(value: number, time: number): void {
    super.add(value, time);
    this.sketch.add(value);
  }

  toAggregate(): Aggregate {
    return { ...this.state(), sketch: this.sketch.encode(), accuracy: this.accuracy };
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
  return { ...mergeMoments(a, b), sketch: mergeEncodedBinary(a.sketch, b.sketch, a.accuracy), accuracy: a.accuracy };
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
