import { z } from 'zod';

import { type AggregateBuilder, defineAggregator } from '../aggregator';
import { ByteReader, ByteWriter } from '../bytes';

/**
 * Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi 2005) with the merge of Agarwal et al., "Mergeable
 * summaries" (2012). Hand-written: no maintained npm library merges top-K summaries. `capacity` counters; each kept
 * item has a `count` that never under-estimates its true count and a `maxError` with count - maxError <= true count;
 * an item not kept has a true count of at most `floor` (the smallest count when full, else 0). Every item whose true
 * count exceeds total / capacity is kept, and maxError <= total / capacity (property-tested).
 */
export interface TopK {
  k: number;
  capacity: number;
  /** Values added (all items, kept or not). */
  total: number;
  /** Kept items, by count descending then item ascending (the canonical order, so encodings compare exactly). */
  items: { item: string; count: number; error: number }[];
}

export interface TopKSummary {
  total: number;
  /** The k items with the largest counts; `share` = count / total. */
  items: { value: string; count: number; maxError: number; share: number }[];
}

const byCount = (a: { item: string; count: number }, b: { item: string; count: number }): number =>
  b.count - a.count || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0);

/** The count an item that is not kept may have at most. */
const floorOf = (s: Pick<TopK, 'capacity' | 'items'>): number =>
  s.items.length < s.capacity ? 0 : Math.min(...s.items.map((e) => e.count));

class TopKBuilder implements AggregateBuilder<TopK> {
  private readonly counters = new Map<string, { count: number; error: number }>();
  private total = 0;
  constructor(
    private readonly k: number,
    private readonly capacity: number,
  ) {}

  add(value: string | number, _time: number): void {
    const item = typeof value === 'string' ? value : String(value);
    this.total++;
    const known = this.counters.get(item);
    if (known !== undefined) {
      known.count++;
      return;
    }
    if (this.counters.size < this.capacity) {
      this.counters.set(item, { count: 1, error: 0 });
      return;
    }
    // Replace the smallest counter (ties: the largest item, so the choice does not depend on insertion order).
    let victim: string | undefined;
    let least = Infinity;
    for (const [name, c] of this.counters) {
      if (c.count < least || (c.count === least && victim !== undefined && name > victim)) {
        least = c.count;
        victim = name;
      }
    }
    this.counters.delete(victim as string);
    this.counters.set(item, { count: least + 1, error: least });
  }

  state(): TopK {
    const items: TopK['items'] = [];
    for (const [item, c] of this.counters) items.push({ item, count: c.count, error: c.error });
    items.sort(byCount);
    return { k: this.k, capacity: this.capacity, total: this.total, items };
  }
}

/**
 * Each item of either input counts what each input says of it, or that input's floor when it does not keep it (the
 * most it may have there); the `capacity` largest stay. Commutative exactly; associative within the bounds above.
 */
export function mergeTopK(a: TopK, b: TopK): TopK {
  if (a.k !== b.k || a.capacity !== b.capacity)
    throw new Error(`topK: cannot merge k ${a.k}/capacity ${a.capacity} with k ${b.k}/capacity ${b.capacity}`);
  if (b.total === 0) return a;
  if (a.total === 0) return b;
  const fa = floorOf(a);
  const fb = floorOf(b);
  const inB = new Map(b.items.map((e) => [e.item, e]));
  const merged: TopK['items'] = [];
  for (const e of a.items) {
    const o = inB.get(e.item);
    merged.push({ item: e.item, count: e.count + (o?.count ?? fb), error: e.error + (o?.error ?? fb) });
    inB.delete(e.item);
  }
  for (const o of inB.values()) merged.push({ item: o.item, count: o.count + fa, error: o.error + fa });
  merged.sort(byCount);
  return { k: a.k, capacity: a.capacity, total: a.total + b.total, items: merged.slice(0, a.capacity) };
}

function summarizeTopK(s: TopK): TopKSummary {
  return {
    total: s.total,
    items: s.items.slice(0, s.k).map((e) => ({
      value: e.item,
      count: e.count,
      maxError: e.error,
      share: s.total === 0 ? 0 : Number((e.count / s.total).toFixed(6)),
    })),
  };
}

const VERSION = 1;

/** Version, k, capacity, total, item count, then per item (count order) count, error and UTF-8 text. */
function encodeTopK(s: TopK): string {
  const w = new ByteWriter().byte(VERSION).uvarint(s.k).uvarint(s.capacity).uvarint(s.total).uvarint(s.items.length);
  for (const e of s.items) w.uvarint(e.count).uvarint(e.error).text(e.item);
  return w.toBase64();
}

function decodeTopK(encoded: string): TopK {
  const r = new ByteReader(encoded, 'topK');
  r.version(VERSION);
  const k = r.uvarint();
  const capacity = r.uvarint();
  const total = r.uvarint();
  const n = r.uvarint();
  if (n > capacity) throw new Error(`topK encoding: expected at most ${capacity} items, found ${n}`);
  const items: TopK['items'] = [];
  for (let i = 0; i < n; i++) {
    const count = r.uvarint();
    const error = r.uvarint();
    items.push({ item: r.text(), count, error });
  }
  r.end();
  return { k, capacity, total, items };
}

export interface TopKOptions {
  k: number;
  capacity?: number | undefined;
}

/** Counters kept: `capacity`, default 3k (every item over a third of 1/k is kept; counts over-estimate by at most total / 3k). */
export const capacityOf = (o: TopKOptions): number => o.capacity ?? 3 * o.k;

/** `kind: "topK"`: the k most frequent values (strings; numbers as their text) with their counts and error bounds. */
export const topK = defineAggregator({
  kind: 'topK',
  description:
    'the k most frequent values (Space-Saving with `capacity` counters, default 3k): each count over-estimates by at most its `maxError` <= total / capacity, and every value with a true share above 1/capacity is kept.',
  input: 'string',
  options: z
    .strictObject({
      k: z
        .number({ error: 'expected the number of items to report, 1 to 100' })
        .int({ error: 'expected an integer' })
        .min(1)
        .max(100)
        .default(10)
        .meta({ description: 'How many items to report, 1 to 100 (default 10).' }),
      capacity: z
        .number({ error: 'expected an integer count of counters' })
        .int({ error: 'expected an integer' })
        .min(1)
        .max(1000)
        .optional()
        .meta({ description: 'Counters kept, k to 1000 (default 3k); more counters, smaller errors.' }),
    })
    .refine((o) => o.capacity === undefined || o.capacity >= o.k, {
      error: 'expected a capacity of at least k',
      path: ['capacity'],
    }),
  create: (o: TopKOptions) => new TopKBuilder(o.k, capacityOf(o)),
  merge: mergeTopK,
  summarize: summarizeTopK,
  encode: encodeTopK,
  decode: decodeTopK,
});
