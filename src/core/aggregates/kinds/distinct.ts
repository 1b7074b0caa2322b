import { z } from 'zod';

import { type AggregateBuilder, defineAggregator } from '../aggregator';
import { ByteReader, ByteWriter } from '../bytes';
import { hash53 } from '../hash';

/**
 * HyperLogLog count-distinct (docs/explanation/aggregates.md). Values are hashed as strings with a 53-bit hash
 * (hash.ts): the top `precision` bits of the low word pick one of m = 2^precision registers, which keeps the largest
 * rank (leading zeros + 1) of the remaining 53 - precision bits. Standard error 1.04 / sqrt(m): 0.81 % at the default
 * precision 14. Registers merge by maximum, so merge is exact: associative, commutative, and equal to adding both
 * inputs to one sketch.
 *
 * Representation (canonical, so equal registers always encode to equal text): sparse - the non-zero registers as
 * sorted (index, rank) pairs - while they are at most m / 8, dense (one byte per register) beyond. The sparse form
 * keeps a window with a few hundred distinct values at a few hundred bytes instead of 2^precision.
 */
export interface Hll {
  precision: number;
  /** index * 64 + rank of every non-zero register, ascending; null when dense. */
  sparse: number[] | null;
  /** One rank per register; null when sparse. */
  dense: Uint8Array | null;
}

export interface DistinctSummary {
  estimate: number;
  /** Relative standard error of the estimate, 1.04 / sqrt(2^precision). */
  standardError: number;
}

export const DEFAULT_PRECISION = 14;
const HASH_BITS = 53;

const registers = (p: number): number => 2 ** p;
const sparseLimit = (p: number): number => registers(p) / 8;

const scratch = { hi: 0, lo: 0 };
/** place()'s answer: module scratch rather than an object per value (the hot path adds one value per event). */
let placedIndex = 0;
let placedRank = 0;

/** Register index and rank of a value, into placedIndex and placedRank. */
function place(value: string, p: number): void {
  hash53(value, scratch);
  placedIndex = scratch.lo >>> (32 - p);
  // The remaining bits, most significant first: the low word's 32 - p bits, then the 21 high bits.
  const rest = (scratch.lo << p) >>> 0;
  if (rest !== 0) placedRank = Math.clz32(rest) + 1;
  else if (scratch.hi !== 0) placedRank = 32 - p + Math.clz32(scratch.hi << 11) + 1;
  else placedRank = HASH_BITS - p + 1;
}

function toDense(p: number, sparse: readonly number[]): Uint8Array {
  const dense = new Uint8Array(registers(p));
  for (const e of sparse) {
    const i = Math.floor(e / 64);
    dense[i] = Math.max(dense[i] as number, e % 64);
  }
  return dense;
}

/** Canonical form of a register array: sparse when few registers are set. */
function fromDense(p: number, dense: Uint8Array): Hll {
  let set = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) set++;
  if (set > sparseLimit(p)) return { precision: p, sparse: null, dense };
  const sparse: number[] = [];
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) sparse.push(i * 64 + (dense[i] as number));
  return { precision: p, sparse, dense: null };
}

/**
 * Up to this many set registers the builder keeps them as a sorted array of index * 64 + rank (the sparse form
 * itself): a batch's window sees a handful of values, and a Map per window plus a sort at state() cost about as much
 * as hashing the values. Beyond, inserting into the array would grow with its length, so a Map takes over.
 */
const SMALL_SPARSE = 128;

class HllBuilder implements AggregateBuilder<Hll> {
  /** Sparse and small: index * 64 + rank per set register, ascending (so by index; a rank is below 64). */
  private small: number[] | null = [];
  /** Sparse beyond SMALL_SPARSE: index -> rank, until it holds more than m / 8 registers. */
  private map: Map<number, number> | null = null;
  private dense: Uint8Array | null = null;
  /** m / 8, computed once (2 ** p is a call per value otherwise). */
  private readonly limit: number;
  constructor(private readonly p: number) {
    this.limit = sparseLimit(p);
  }

  add(value: string | number, _time: number): void {
    place(typeof value === 'string' ? value : String(value), this.p);
    const index = placedIndex;
    const rank = placedRank;
    const small = this.small;
    if (small !== null) {
      const base = index * 64;
      // The first entry at or after this index (entries of one index lie in [base, base + 64)).
      let lo = 0;
      let hi = small.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((small[mid] as number) < base) lo = mid + 1;
        else hi = mid;
      }
      const at = small[lo];
      if (at !== undefined && at < base + 64) {
        if (base + rank > at) small[lo] = base + rank;
        return;
      }
      // Insert at lo: shift the larger entries up by one (splice would allocate its result).
      for (let j = small.length; j > lo; j--) small[j] = small[j - 1] as number;
      small[lo] = base + rank;
      if (small.length > this.limit) {
        this.dense = toDense(this.p, small);
        this.small = null;
      } else if (small.length > SMALL_SPARSE) {
        this.map = new Map();
        for (const e of small) this.map.set(Math.floor(e / 64), e % 64);
        this.small = null;
      }
      return;
    }
    if (this.map !== null) {
      const known = this.map.get(index);
      if (known === undefined) {
        this.map.set(index, rank);
        if (this.map.size > this.limit) {
          this.dense = new Uint8Array(registers(this.p));
          for (const [i, r] of this.map) this.dense[i] = r;
          this.map = null;
        }
      } else if (rank > known) this.map.set(index, rank);
      return;
    }
    const dense = this.dense as Uint8Array;
    if (rank > (dense[index] as number)) dense[index] = rank;
  }

  state(): Hll {
    if (this.small !== null) return { precision: this.p, sparse: this.small.slice(), dense: null };
    if (this.map === null) return { precision: this.p, sparse: null, dense: this.dense };
    const sparse: number[] = [];
    for (const [i, r] of this.map) sparse.push(i * 64 + r);
    return { precision: this.p, sparse: sortAscending(sparse), dense: null };
  }
}

/**
 * Sorts distinct numbers ascending in place: insertion sort for the few registers a batch's window sets (a sort with
 * a comparator called back from the builtin cost more than the rest of the encoding), the builtin beyond.
 */
function sortAscending(xs: number[]): number[] {
  if (xs.length > 32) return xs.sort((a, b) => a - b);
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as number;
    let j = i - 1;
    while (j >= 0 && (xs[j] as number) > x) {
      xs[j + 1] = xs[j] as number;
      j--;
    }
    xs[j + 1] = x;
  }
  return xs;
}

export function mergeHll(a: Hll, b: Hll): Hll {
  if (a.precision !== b.precision)
    throw new Error(`distinct: cannot merge precision ${a.precision} with precision ${b.precision}`);
  const p = a.precision;
  if (a.sparse !== null && b.sparse !== null) {
    // Merge of two sorted lists, keeping the larger rank per index.
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.sparse.length || j < b.sparse.length) {
      const x = i < a.sparse.length ? (a.sparse[i] as number) : Infinity;
      const y = j < b.sparse.length ? (b.sparse[j] as number) : Infinity;
      const xi = Math.floor(x / 64);
      const yi = Math.floor(y / 64);
      if (xi === yi) {
        out.push(Math.max(x, y));
        i++;
        j++;
      } else if (xi < yi) {
        out.push(x);
        i++;
      } else {
        out.push(y);
        j++;
      }
    }
    if (out.length <= sparseLimit(p)) return { precision: p, sparse: out, dense: null };
    return { precision: p, sparse: null, dense: toDense(p, out) };
  }
  const da = a.dense ?? toDense(p, a.sparse as number[]);
  const db = b.dense ?? toDense(p, b.sparse as number[]);
  const dense = new Uint8Array(da.length);
  for (let k = 0; k < dense.length; k++) dense[k] = Math.max(da[k] as number, db[k] as number);
  return { precision: p, sparse: null, dense };
}

/**
 * Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017, algorithm 6):
 * unbiased across the whole range from the register histogram alone, so neither linear counting's switch-over nor
 * HLL++'s empirical bias tables are needed.
 */
export function estimate(h: Hll): number {
  const p = h.precision;
  const m = registers(p);
  const q = HASH_BITS - p;
  const histogram = new Array<number>(q + 2).fill(0);
  if (h.sparse !== null) {
    histogram[0] = m - h.sparse.length;
    for (const e of h.sparse) histogram[e % 64]! += 1;
  } else {
    for (const r of h.dense as Uint8Array) histogram[r]! += 1;
  }
  let z = m * tau(1 - (histogram[q + 1] as number) / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
  z += m * sigma((histogram[0] as number) / m);
  return (m * m) / (2 * Math.LN2 * z);
}

function sigma(x0: number): number {
  if (x0 === 1) return Infinity;
  let x = x0;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x0: number): number {
  if (x0 === 0 || x0 === 1) return 0;
  let x = x0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}

export const standardErrorOf = (precision: number): number => 1.04 / Math.sqrt(registers(precision));

const VERSION = 1;
const SPARSE = 0;
const DENSE = 1;

/**
 * Version, precision, form; sparse: count and ascending deltas of index * 64 + rank as varints (about 2 bytes per
 * register set); dense: 6-bit ranks packed 4 to 3 bytes (0.75 * 2^precision bytes: 12 KiB at precision 14).
 */
function encodeHll(h: Hll): string {
  const w = new ByteWriter().byte(VERSION).byte(h.precision);
  if (h.sparse !== null) {
    w.byte(SPARSE).uvarint(h.sparse.length);
    let previous = 0;
    for (const e of h.sparse) {
      w.uvarint(e - previous);
      previous = e;
    }
    return w.toBase64();
  }
  const dense = h.dense as Uint8Array;
  const packed = Buffer.alloc((dense.length / 4) * 3);
  for (let i = 0, o = 0; i < dense.length; i += 4, o += 3) {
    const v =
      (dense[i] as number) |
      ((dense[i + 1] as number) << 6) |
      ((dense[i + 2] as number) << 12) |
      ((dense[i + 3] as number) << 18);
    packed[o] = v & 0xff;
    packed[o + 1] = (v >>> 8) & 0xff;
    packed[o + 2] = (v >>> 16) & 0xff;
  }
  return w.byte(DENSE).bytes(packed).toBase64();
}

function decodeHll(encoded: string): Hll {
  const r = new ByteReader(encoded, 'distinct');
  r.version(VERSION);
  const p = r.byte();
  if (p < 4 || p > 18) throw new Error(`distinct encoding: expected a precision from 4 to 18, found ${p}`);
  const form = r.byte();
  if (form === SPARSE) {
    const n = r.uvarint();
    const sparse: number[] = [];
    let e = 0;
    for (let k = 0; k < n; k++) {
      e += r.uvarint();
      sparse.push(e);
    }
    r.end();
    return { precision: p, sparse, dense: null };
  }
  if (form !== DENSE) throw new Error(`distinct encoding: expected form 0 (sparse) or 1 (dense), found ${form}`);
  const packed = r.bytes((registers(p) / 4) * 3);
  r.end();
  const dense = new Uint8Array(registers(p));
  for (let i = 0, o = 0; i < dense.length; i += 4, o += 3) {
    const v = (packed[o] as number) | ((packed[o + 1] as number) << 8) | ((packed[o + 2] as number) << 16);
    dense[i] = v & 63;
    dense[i + 1] = (v >>> 6) & 63;
    dense[i + 2] = (v >>> 12) & 63;
    dense[i + 3] = (v >>> 18) & 63;
  }
  return { precision: p, sparse: null, dense };
}

/** `kind: "distinct"`: how many distinct values (strings; numbers as their text) the expression yielded. */
export const distinct = defineAggregator({
  kind: 'distinct',
  description:
    'estimated number of distinct values (HyperLogLog, sparse below 2^precision / 8 registers); standard error 1.04 / sqrt(2^precision), 0.81 % at the default precision 14; merges exactly.',
  input: 'string',
  options: z.strictObject({
    precision: z
      .number({ error: 'expected an integer precision from 4 to 18' })
      .int({ error: 'expected an integer' })
      .min(4)
      .max(18)
      .default(DEFAULT_PRECISION)
      .meta({
        description:
          'log2 of the register count, 4 to 18 (default 14: 0.81 % standard error, at most 12 KiB per window).',
      }),
  }),
  create: (o: { precision: number }) => new HllBuilder(o.precision),
  merge: mergeHll,
  summarize: (h: Hll): DistinctSummary => ({
    estimate: Math.round(estimate(h)),
    standardError: Number(standardErrorOf(h.precision).toFixed(6)),
  }),
  encode: encodeHll,
  decode: (encoded: string) => {
    const h = decodeHll(encoded);
    // Refuse a non-canonical form, so every state has one encoding (merge laws compare encodings).
    return h.dense !== null ? fromDense(h.precision, h.dense) : h;
  },
});
