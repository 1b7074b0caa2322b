import type { DDSketch } from '@datadog/sketches-js';

import { decodeSketchBinary, encodeSketchBinary, mergeEncodedBinary } from './sketchCodec';

/** DDSketch helpers: JSON-safe base64 encoding, and a merge that keeps every bin. */
export const DEFAULT_SKETCH_ACCURACY = 0.01;

export function encodeSketch(sketch: DDSketch, accuracy: number): string {
  return encodeSketchBinary(sketch, accuracy);
}

export function decodeSketch(encoded: string): DDSketch {
  return decodeSketchBinary(encoded).sketch;
}

/**
 * Quantile clamped to the exact [min, max], since the sketch's relative error can overshoot them. Of a DDSketch, or
 * of what encodedSketchQuantiles reads from an encoding without building one.
 */
export function quantile(
  sketch: Pick<DDSketch, 'count' | 'getValueAtQuantile'>,
  q: number,
  min: number,
  max: number,
): number | null {
  if (sketch.count === 0) return null;
  const v = sketch.getValueAtQuantile(q);
  if (!Number.isFinite(v)) return null;
  return Math.min(max, Math.max(min, v));
}

/**
 * Merges two encoded sketches on the encodings themselves: the one sketch merge in the project. sketches-js 2.1.1's own
 * `merge` forgets the negative store when both sketches are non-empty and drops bins when the stores' key ranges
 * differ (0.001 with weight 0.125 merged with 0.001 and 1.0 loses the 1.0 bin), so nothing merges DDSketch objects.
 */
export function mergeEncodedSketches(a: string, b: string): string {
  return mergeEncodedBinary(a, b);
}
