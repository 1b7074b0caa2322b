import { z } from 'zod';

import { type AggregateBuilder, defineAggregator } from '../aggregator';
import { ByteReader, ByteWriter } from '../bytes';
import { decodeSketch, DEFAULT_SKETCH_ACCURACY, quantile } from '../sketch';
import { SketchBins } from '../sketchBins';
import { encodedSketchQuantiles, mergeEncodedBinary } from '../sketchCodec';

/** A DDSketch (sketchCodec.ts encoding, base64) with the exact extremes its quantiles are clamped to. */
export interface Quantiles {
  min: number | null;
  max: number | null;
  sketch: string;
}

export interface QuantilesSummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** DDSketch's guarantee: each quantile is within this relative error of a value of that rank. */
  relativeAccuracy: number;
}

class QuantilesBuilder implements AggregateBuilder<Quantiles> {
  private min = Infinity;
  private max = -Infinity;
  private readonly bins: SketchBins;
  constructor(accuracy: number) {
    this.bins = new SketchBins(accuracy);
  }
  add(value: number | string, _time: number): void {
    const v = value as number;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.bins.add(v);
  }
  state(): Quantiles {
    const empty = this.min === Infinity;
    return { min: empty ? null : this.min, max: empty ? null : this.max, sketch: this.bins.encode() };
  }
}

const minOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** The sketch merge of the project (sketchCodec.ts): exact on the bins, byte for byte. */
export function mergeQuantiles(a: Quantiles, b: Quantiles): Quantiles {
  return { min: minOf(a.min, b.min), max: maxOf(a.max, b.max), sketch: mergeEncodedBinary(a.sketch, b.sketch) };
}

/** p50/p90/p99 of a sketch, clamped to the exact [min, max] since the sketch's relative error can overshoot them. */
export function sketchQuantiles(
  sketch: string,
  min: number | null,
  max: number | null,
): { count: number; p50: number | null; p90: number | null; p99: number | null } {
  const decoded = encodedSketchQuantiles(sketch);
  if (min === null || max === null || decoded.count === 0)
    return { count: decoded.count, p50: null, p90: null, p99: null };
  return {
    count: decoded.count,
    p50: quantile(decoded, 0.5, min, max),
    p90: quantile(decoded, 0.9, min, max),
    p99: quantile(decoded, 0.99, min, max),
  };
}

const VERSION = 1;

function encodeQuantiles(q: Quantiles): string {
  const w = new ByteWriter().byte(VERSION).byte(q.min === null ? 0 : 1);
  if (q.min !== null) w.double(q.min).double(q.max as number);
  return w.bytes(Buffer.from(q.sketch, 'base64')).toBase64();
}

function decodeQuantiles(encoded: string): Quantiles {
  const r = new ByteReader(encoded, 'quantiles');
  r.version(VERSION);
  const extremes = r.byte() === 1;
  const min = extremes ? r.double() : null;
  const max = extremes ? r.double() : null;
  const sketch = r.rest().toString('base64');
  decodeSketch(sketch); // throws on a sketch this code cannot read
  return { min, max, sketch };
}

/** `kind: "quantiles"`: the DDSketch p50/p90/p99 a bare measure carries, on their own. */
export const quantiles = defineAggregator({
  kind: 'quantiles',
  description:
    'p50, p90 and p99 of a number from a DDSketch: each within `accuracy` relative error (default 0.01) of a value of that rank; mergeable exactly.',
  input: 'number',
  options: z.strictObject({
    accuracy: z
      .number({ error: 'expected a relative accuracy like 0.01' })
      .min(0.0001)
      .max(0.1)
      .default(DEFAULT_SKETCH_ACCURACY)
      .meta({ description: 'Relative accuracy of the sketch, 0.0001 to 0.1.' }),
  }),
  create: (o: { accuracy: number }) => new QuantilesBuilder(o.accuracy),
  merge: mergeQuantiles,
  summarize: (q: Quantiles): QuantilesSummary => ({
    ...sketchQuantiles(q.sketch, q.min, q.max),
    relativeAccuracy: decodeSketchAccuracy(q.sketch),
  }),
  encode: encodeQuantiles,
  decode: decodeQuantiles,
});

function decodeSketchAccuracy(sketch: string): number {
  // The accuracy is the f64 after the version and flags bytes (sketchCodec.ts layout).
  return Buffer.from(sketch, 'base64').readDoubleLE(2);
}
