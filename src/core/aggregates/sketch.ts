import { DDSketch } from '@datadog/sketches-js';

import { decodeSketchBinary, encodeSketchBinary, mergeEncodedBinary } from './sketchCodec';

/** DDSketch helpers: JSON-safe base64 encoding, and a merge that includes negative values. */
export const DEFAULT_SKETCH_ACCURACY = 0.01;

export function newSketch(accuracy: number = DEFAULT_SKETCH_ACCURACY): DDSketch {
  return new DDSketch({ relativeAccuracy: accuracy });
}

export function encodeSketch(sketch: DDSketch, accuracy: number): string {
  return encodeSketchBinary(sketch, accuracy);
}

export function decodeSketch(encoded: string): DDSketch {
  return decodeSketchBinary(encoded).sketch;
}

/**
 * Merges `from` into `into`, bin by bin through the stores' `add`. sketches-js 2.1.1's own `merge` is wrong twice:
 * it forgets the negative-value store when both sketches are non-empty, and DenseStore.merge drops bins when the
 * stores' key ranges differ (e.g. 0.001 with weight 0.125 merged with 0.001 and 1.0: the 1.0 bin vanishes while
 * `count` still includes it, so quantiles come out wrong). Both found by the property test beside this file.
 */
export function mergeSketchInto(into: DDSketch, from: DDSketch): void {
  if (!into.mergeable(from)) throw new Error('Cannot merge two DDSketches with different `relativeAccuracy` parameters');
  if (from.count === 0) return;
  addBins(into.store, from.store);
  addBins(into.negativeStore, from.negativeStore);
  into.zeroCount += from.zeroCount;
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
}

function addBins(into: DDSketch['store'], from: DDSketch['store']): void {
  const { bins, offset } = from as unknown as { bins: number[]; offset: number };
  for (let i = 0; i < bins.length; i++) {
    const count = bins[i] as number;
    if (count > 0) into.add(i + offset, count);
  }
}

/** Quantile clamped to the exact [min, max], since the sketch's relative error can overshoot them. */
export function quantile(sketch: DDSketch, q: number, min: number, max: number): number | null {
  if (sketch.count === 0) return null;
  const v = sketch.getValueAtQuantile(q);
  if (!Number.isFinite(v)) return null;
  return Math.min(max, Math.max(min, v));
}

/** Merges two encoded sketches (for stores that keep opaque latency sketches), on the encodings themselves. */
export function mergeEncodedSketches(a: string, b: string): string {
  return mergeEncodedBinary(a, b);
}
