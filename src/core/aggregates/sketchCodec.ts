import { DDSketch } from '@datadog/sketches-js';

import { base64Of } from './bytes';

/**
 * Compact binary form of a DDSketch: sketches-js's own toProto/fromProto need `protobufjs`, which it lists only as a
 * dev dependency, so it fails at runtime. Layout: version, flags (bit 0: float counts), relative accuracy (f64),
 * zero count, then for the positive and the negative store: number of non-empty bins and (key delta, count) pairs.
 * Integers are zigzag varints; counts are f64 only when some count is fractional.
 */
const VERSION = 1;

/**
 * Appends to one module-level buffer that grows on demand: a batch encodes hundreds of sketches, and a fresh array of
 * numbers per sketch plus its copy into a Buffer cost more than the encoding itself.
 */
class Writer {
  private static buf = Buffer.allocUnsafe(4096);
  private i = 0;

  private room(n: number): void {
    if (this.i + n <= Writer.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(Writer.buf.length * 2, this.i + n));
    Writer.buf.copy(grown, 0, 0, this.i);
    Writer.buf = grown;
  }

  byte(b: number): void {
    this.room(1);
    Writer.buf[this.i++] = b;
  }

  varint(n: number): void {
    this.room(10);
    const buf = Writer.buf;
    // Zigzag so negative keys stay short; arithmetic, not bitwise, so values beyond 32 bits survive.
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 128) {
      buf[this.i++] = (z % 128) + 128;
      z = Math.floor(z / 128);
    }
    buf[this.i++] = z;
  }

  double(x: number): void {
    this.room(8);
    Writer.buf.writeDoubleLE(x, this.i);
    this.i += 8;
  }

  toBase64(): string {
    return base64Of(Writer.buf, 0, this.i);
  }
}

class Reader {
  private i = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    const b = this.buf[this.i++];
    if (b === undefined) throw new Error('sketch data ended early');
    return b;
  }

  varint(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      z += (b % 128) * scale;
      if (b < 128) break;
      scale *= 128;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  double(): number {
    if (this.i + 8 > this.buf.length) throw new Error('sketch data ended early');
    const v = this.buf.readDoubleLE(this.i);
    this.i += 8;
    return v;
  }
}

interface StoreLike {
  bins: number[];
  offset: number;
}

function nonEmpty(store: StoreLike): Bins {
  const keys: number[] = [];
  const counts: number[] = [];
  store.bins.forEach((count, i) => {
    if (count > 0) {
      keys.push(i + store.offset);
      counts.push(count);
    }
  });
  return { keys, counts };
}

export function encodeSketchBinary(sketch: DDSketch, accuracy: number): string {
  return writeSketch(accuracy, sketch.zeroCount, nonEmpty(sketch.store), nonEmpty(sketch.negativeStore));
}

/** Ascending keys and their counts, one store of a sketch. */
export interface Bins {
  keys: number[];
  counts: number[];
}

function allIntegers(counts: readonly number[]): boolean {
  for (let i = 0; i < counts.length; i++) if (!Number.isInteger(counts[i])) return false;
  return true;
}

function writeBins(w: Writer, { keys, counts }: Bins, fractional: boolean): void {
  w.varint(keys.length);
  let previous = 0;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as number;
    w.varint(key - previous);
    previous = key;
    if (fractional) w.double(counts[k] as number);
    else w.varint(counts[k] as number);
  }
}

/** The binary form described above, from bins in ascending key order. */
export function writeSketch(accuracy: number, zeroCount: number, positive: Bins, negative: Bins): string {
  const fractional = !Number.isInteger(zeroCount) || !allIntegers(positive.counts) || !allIntegers(negative.counts);
  const w = new Writer();
  w.byte(VERSION);
  w.byte(fractional ? 1 : 0);
  w.double(accuracy);
  if (fractional) w.double(zeroCount);
  else w.varint(zeroCount);
  writeBins(w, positive, fractional);
  writeBins(w, negative, fractional);
  return w.toBase64();
}

export function decodeSketchBinary(encoded: string): { sketch: DDSketch; accuracy: number } {
  const { accuracy, zeroCount, stores } = readBins(encoded);
  const sketch = new DDSketch({ relativeAccuracy: accuracy });
  sketch.zeroCount = zeroCount;
  let total = zeroCount;
  for (const [s, target] of [sketch.store, sketch.negativeStore].entries()) {
    const { keys, counts } = stores[s] as DecodedBins['stores'][0];
    for (let k = 0; k < keys.length; k++) {
      const c = counts[k] as number;
      target.add(keys[k] as number, c);
      total += c;
    }
  }
  // The constructor computed count from empty stores; quantile lookups rely on it.
  sketch.count = total;
  return { sketch, accuracy };
}

/** The library's own mapping for an accuracy (a DDSketch's), kept: creating a DDSketch allocates its dense stores. */
const mappings = new Map<number, DDSketch['mapping']>();
function mappingFor(accuracy: number): DDSketch['mapping'] {
  let mapping = mappings.get(accuracy);
  if (mapping === undefined) {
    mapping = new DDSketch({ relativeAccuracy: accuracy }).mapping;
    if (mappings.size < 16) mappings.set(accuracy, mapping);
  }
  return mapping;
}

/** DenseStore.keyAtRank on ascending (key, count) bins: the same running sum (empty bins between keys add 0). */
function keyAtRank({ keys, counts }: Bins, rank: number, lower: boolean): number {
  let running = 0;
  for (let k = 0; k < keys.length; k++) {
    running += counts[k] as number;
    if (lower ? running > rank : running >= rank + 1) return keys[k] as number;
  }
  return keys.length > 0 ? (keys[keys.length - 1] as number) : -Infinity;
}

/**
 * The count and `getValueAtQuantile` of decodeSketchBinary(encoded), computed on the decoded bins with sketches-js's
 * own mapping and its arithmetic step for step (tested equal on generated sketches), without building the DDSketch:
 * summarizing a closed window read its quantiles this way, and the dense stores' allocation was most of that cost.
 */
export function encodedSketchQuantiles(encoded: string): Pick<DDSketch, 'count' | 'getValueAtQuantile'> {
  const { accuracy, zeroCount, stores } = readBins(encoded);
  const [positive, negative] = stores;
  // Summed in decodeSketchBinary's order (zero, positive, negative), so fractional counts round the same.
  let count = zeroCount;
  for (const c of positive.counts) count += c;
  let negativeCount = 0;
  for (const c of negative.counts) {
    count += c;
    negativeCount += c;
  }
  const mapping = mappingFor(accuracy);
  return {
    count,
    getValueAtQuantile(quantile: number): number {
      if (quantile < 0 || quantile > 1 || count === 0) return NaN;
      const rank = quantile * (count - 1);
      // Rounding can leave a rank where DenseStore.keyAtRank's test already holds at an empty bin (a running count of
      // 0): it then answers with the first bin of its dense array, which lies below every key and depends on how the
      // store grew. Those few ranks (fractional counts, q near a boundary) are asked of the decoded sketch itself.
      if (rank < negativeCount) {
        const reversed = negativeCount - rank - 1;
        if (0 >= reversed + 1) return decodeSketchBinary(encoded).sketch.getValueAtQuantile(quantile);
        return -mapping.value(keyAtRank(negative, reversed, false));
      }
      if (rank < zeroCount + negativeCount) return 0;
      const positiveRank = rank - zeroCount - negativeCount;
      if (0 > positiveRank) return decodeSketchBinary(encoded).sketch.getValueAtQuantile(quantile);
      return mapping.value(keyAtRank(positive, positiveRank, true));
    },
  };
}

interface DecodedBins {
  accuracy: number;
  zeroCount: number;
  /** Positive then negative store: ascending keys and their counts. */
  stores: [Bins, Bins];
}

function readBins(encoded: string): DecodedBins {
  const r = new Reader(Buffer.from(encoded, 'base64'));
  const version = r.byte();
  if (version !== VERSION)
    throw new Error(`unsupported sketch encoding: expected version ${VERSION}, found ${version}`);
  const fractional = r.byte() === 1;
  const count = () => (fractional ? r.double() : r.varint());
  const accuracy = r.double();
  const zeroCount = count();
  const store = () => {
    const n = r.varint();
    const keys: number[] = [];
    const counts: number[] = [];
    let key = 0;
    for (let k = 0; k < n; k++) {
      key += r.varint();
      keys.push(key);
      counts.push(count());
    }
    return { keys, counts };
  };
  const positive = store();
  return { accuracy, zeroCount, stores: [positive, store()] };
}

/**
 * The encoding of decode(a) merged with decode(b) (key-wise sums of bin counts and zero counts, as DDSketch's merge of
 * unbounded dense stores), written with `accuracy` (default: a's), without building DDSketch objects: the stream
 * entity merges sketches on every operation, and the dense stores' allocation dominated that. Byte-for-byte equal to
 * encodeSketchBinary of the merged sketch (tested). Throws when the sketches' accuracies differ, as DDSketch does.
 */
export function mergeEncodedBinary(a: string, b: string, accuracy?: number): string {
  const left = readBins(a);
  const merged = mergeDecoded(left, readBins(b));
  return writeSketch(accuracy ?? left.accuracy, merged.zeroCount, merged.stores[0], merged.stores[1]);
}

/**
 * The encoding of `encoded` merged left to right, as folding mergeEncodedBinary over them (the same sums in the same
 * order, so the same bytes), but decoding each once and encoding once: a batch's totals merge all of a stream's
 * windows, and re-encoding the running sketch after every window made that quadratic in the windows. `accuracy`
 * defaults to the first's. Throws on an empty list or on differing accuracies.
 */
export function mergeEncodedAllBinary(encoded: readonly string[], accuracy?: number): string {
  if (encoded.length === 0) throw new Error('mergeEncodedAllBinary: expected at least one sketch, found none');
  const first = readBins(encoded[0] as string);
  let merged = first;
  for (let i = 1; i < encoded.length; i++) merged = mergeDecoded(merged, readBins(encoded[i] as string));
  return writeSketch(accuracy ?? first.accuracy, merged.zeroCount, merged.stores[0], merged.stores[1]);
}

function mergeDecoded(left: DecodedBins, right: DecodedBins): DecodedBins {
  if (left.accuracy !== right.accuracy)
    throw new Error('Cannot merge two DDSketches with different `relativeAccuracy` parameters');
  const zeroCount = left.zeroCount + right.zeroCount;
  const merged = left.stores.map((l, s) => {
    const r = right.stores[s] as DecodedBins['stores'][0];
    const keys: number[] = [];
    const counts: number[] = [];
    let i = 0;
    let j = 0;
    while (i < l.keys.length || j < r.keys.length) {
      const ki = i < l.keys.length ? (l.keys[i] as number) : Infinity;
      const kj = j < r.keys.length ? (r.keys[j] as number) : Infinity;
      if (ki === kj) {
        keys.push(ki);
        counts.push((l.counts[i++] as number) + (r.counts[j++] as number));
      } else if (ki < kj) {
        keys.push(ki);
        counts.push(l.counts[i++] as number);
      } else {
        keys.push(kj);
        counts.push(r.counts[j++] as number);
      }
    }
    return { keys, counts };
  });
  return { accuracy: left.accuracy, zeroCount, stores: [merged[0] as Bins, merged[1] as Bins] };
}
