import { DDSketch } from '@datadog/sketches-js';

import { type Bins, writeSketch } from './sketchCodec';

type Mapping = DDSketch['mapping'];

// One mapping per accuracy: building it costs two logarithms and an object, and a batch creates hundreds of bins.
const mappings = new Map<number, Mapping>();
function mappingFor(accuracy: number): Mapping {
  let mapping = mappings.get(accuracy);
  if (mapping === undefined) {
    mapping = new DDSketch({ relativeAccuracy: accuracy }).mapping;
    mappings.set(accuracy, mapping);
  }
  return mapping;
}

/**
 * The hot-path side of a DDSketch: the same keys as sketches-js's `accept` (its own mapping computes them), kept in
 * small sorted arrays instead of dense stores and written straight to the codec's binary form. A batch builds
 * hundreds of small sketches of a handful of values each; sketches-js's dense stores re-centre and grow their arrays
 * on most first inserts, which cost more than the values themselves, and hashing then sorting keys at encode time
 * cost more than a binary search over the few keys a batch sees. Repeated values (integer measures, one enqueued time
 * for a whole send) are counted as a run and keyed once. `encode()` is byte-for-byte encodeSketchBinary of a DDSketch
 * that accepted the same values (tested).
 */
export class SketchBins {
  private readonly mapping: Mapping;
  private readonly positive: Bins = { keys: [], counts: [] };
  private readonly negative: Bins = { keys: [], counts: [] };
  private zeroCount = 0;
  private runValue = NaN;
  private runWeight = 0;

  constructor(readonly accuracy: number) {
    this.mapping = mappingFor(accuracy);
  }

  add(value: number): void {
    if (value === this.runValue) {
      this.runWeight++;
      return;
    }
    if (this.runWeight > 0) this.flush();
    this.runValue = value;
    this.runWeight = 1;
  }

  encode(): string {
    if (this.runWeight > 0) this.flush();
    return writeSketch(this.accuracy, this.zeroCount, this.positive, this.negative);
  }

  private flush(): void {
    const value = this.runValue;
    const weight = this.runWeight;
    this.runWeight = 0;
    this.runValue = NaN;
    const min = this.mapping.minPossible;
    if (value > min) bump(this.positive, this.key(value), weight);
    else if (value < -min) bump(this.negative, this.key(-value), weight);
    else this.zeroCount += weight;
  }

  private key(magnitude: number): number {
    // Beyond maxPossible sketches-js throws; clamp so one extreme value cannot fail a whole batch.
    return this.mapping.key(Math.min(magnitude, this.mapping.maxPossible));
  }
}

/** Adds weight to the key's bin, keeping keys ascending (binary search; a new key is spliced in). */
function bump(bins: Bins, key: number, weight: number): void {
  const { keys, counts } = bins;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) < key) lo = mid + 1;
    else hi = mid;
  }
  if (lo < keys.length && keys[lo] === key) counts[lo] = (counts[lo] as number) + weight;
  else {
    keys.splice(lo, 0, key);
    counts.splice(lo, 0, weight);
  }
}
