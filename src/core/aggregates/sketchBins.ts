import { DDSketch } from '@datadog/sketches-js';

import { type Bins, writeSketch } from './sketchCodec';

type Mapping = DDSketch['mapping'];

const NO_BINS: Bins = Object.freeze({
  keys: Object.freeze([]) as unknown as number[],
  counts: Object.freeze([]) as unknown as number[],
});

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
 * cost more than keeping the few keys a batch sees in order. Repeated values (integer measures, one enqueued time
 * for a whole send) are counted as a run and keyed once. `encode()` is byte-for-byte encodeSketchBinary of a DDSketch
 * that accepted the same values (tested).
 */
export class SketchBins {
  private readonly mapping: Mapping;
  private readonly positive: Bins = { keys: [], counts: [] };
  /** Created on the first negative value: most measures (and every latency) have none. */
  private negative: Bins | undefined;
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
    return writeSketch(this.accuracy, this.zeroCount, this.positive, this.negative ?? NO_BINS);
  }

  private flush(): void {
    const value = this.runValue;
    const weight = this.runWeight;
    this.runWeight = 0;
    this.runValue = NaN;
    const min = this.mapping.minPossible;
    if (value > min) bump(this.positive, this.key(value), weight);
    else if (value < -min) bump((this.negative ??= { keys: [], counts: [] }), this.key(-value), weight);
    else this.zeroCount += weight;
  }

  private key(magnitude: number): number {
    // Beyond maxPossible sketches-js throws; clamp so one extreme value cannot fail a whole batch.
    return this.mapping.key(Math.min(magnitude, this.mapping.maxPossible));
  }
}

/**
 * Adds weight to the key's bin, keeping keys ascending: a scan from the end and an in-place shift, which for the few
 * keys of a batch's sketch beats both a hash map (plus a sort at encode) and a binary search with splice.
 */
function bump(bins: Bins, key: number, weight: number): void {
  const { keys, counts } = bins;
  let i = keys.length - 1;
  while (i >= 0 && (keys[i] as number) > key) i--;
  if (i >= 0 && keys[i] === key) {
    counts[i] = (counts[i] as number) + weight;
    return;
  }
  // Insert at i + 1: shift the larger keys up by one.
  for (let j = keys.length; j > i + 1; j--) {
    keys[j] = keys[j - 1] as number;
    counts[j] = counts[j - 1] as number;
  }
  keys[i + 1] = key;
  counts[i + 1] = weight;
}
