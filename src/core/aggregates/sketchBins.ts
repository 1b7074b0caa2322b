import { DDSketch } from '@datadog/sketches-js';

import { writeSketch } from './sketchCodec';

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
 * hash maps instead of dense stores and written straight to the codec's binary form. A batch builds hundreds of small
 * sketches of a handful of values each; sketches-js's dense stores re-centre and grow their arrays on most first
 * inserts, which cost more than the values themselves. Repeated values (integer measures, one enqueued time for a whole
 * send) are counted as a run and keyed once. `encode()` is byte-for-byte encodeSketchBinary of a DDSketch that
 * accepted the same values (tested).
 */
export class SketchBins {
  private readonly mapping: Mapping;
  private readonly positive = new Map<number, number>();
  private readonly negative = new Map<number, number>();
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
    return writeSketch(this.accuracy, this.zeroCount, sortedBins(this.positive), sortedBins(this.negative));
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

function bump(bins: Map<number, number>, key: number, weight: number): void {
  bins.set(key, (bins.get(key) ?? 0) + weight);
}

function sortedBins(bins: Map<number, number>): { keys: number[]; counts: number[] } {
  const keys = [...bins.keys()].sort((a, b) => a - b);
  return { keys, counts: keys.map((k) => bins.get(k) as number) };
}
