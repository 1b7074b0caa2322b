import { DDSketch } from '@datadog/sketches-js';

import { type Bins, writeSketch } from './sketchCodec';

type Mapping = DDSketch['mapping'];

const NO_BINS: Bins = Object.freeze({
  keys: Object.freeze([]) as unknown as number[],
  counts: Object.freeze([]) as unknown as number[],
});

/**
 * One mapping per accuracy (building it costs two logarithms and an object, and a batch creates hundreds of bins),
 * with a direct-mapped cache of the keys it gave: computing a key costs a logarithm (a C call), about a quarter of a
 * JSON.parse per event for a pipeline with two varying measures, while real measures repeat (integer delays and
 * distances, one-decimal readings). A slot holds the exact magnitude it was computed for, so a hit is the key the
 * mapping gives (tested against sketches-js byte for byte); a miss computes it and overwrites the slot.
 */
interface KeyCache {
  mapping: Mapping;
  magnitudes: Float64Array;
  keys: Float64Array;
}
const CACHE_SLOTS = 4096;
const caches = new Map<number, KeyCache>();
function cacheFor(accuracy: number): KeyCache {
  let cache = caches.get(accuracy);
  if (cache === undefined) {
    cache = {
      mapping: new DDSketch({ relativeAccuracy: accuracy }).mapping,
      // NaN equals nothing, so an empty slot never hits.
      magnitudes: new Float64Array(CACHE_SLOTS).fill(NaN),
      keys: new Float64Array(CACHE_SLOTS),
    };
    caches.set(accuracy, cache);
  }
  return cache;
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
  private readonly cache: KeyCache;
  private readonly positive: Bins = { keys: [], counts: [] };
  /** Created on the first negative value: most measures (and every latency) have none. */
  private negative: Bins | undefined;
  private zeroCount = 0;
  private runValue = NaN;
  private runWeight = 0;

  constructor(readonly accuracy: number) {
    this.cache = cacheFor(accuracy);
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
    const min = this.cache.mapping.minPossible;
    if (value > min) bump(this.positive, this.key(value), weight);
    else if (value < -min) bump((this.negative ??= { keys: [], counts: [] }), this.key(-value), weight);
    else this.zeroCount += weight;
  }

  private key(magnitude: number): number {
    const { magnitudes, keys, mapping } = this.cache;
    // An odd multiplier spreads consecutive integers and one-decimal values over distinct slots.
    const slot = (magnitude * 4099) & (CACHE_SLOTS - 1);
    if (magnitudes[slot] === magnitude) return keys[slot] as number;
    // Beyond maxPossible sketches-js throws; clamp so one extreme value cannot fail a whole batch.
    const key = mapping.key(Math.min(magnitude, mapping.maxPossible));
    magnitudes[slot] = magnitude;
    keys[slot] = key;
    return key;
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
