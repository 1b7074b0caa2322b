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
 * Merges `from` into `into`. sketches-js 2.1.1 `merge` forgets the negative-value store when both sketches are
 * non-empty, so negative values would vanish; we merge that store ourselves.
 */
export function mergeSketchInto(into: DDSketch, from: DDSketch): void {
  const bothNonEmpty = into.count > 0 && from.count > 0;
  into.merge(from);
  if (bothNonEmpty) into.negativeStore.merge(from.negativeStore);
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
