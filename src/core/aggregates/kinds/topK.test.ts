import fc from 'fast-check';

import { aggregatorContract, type Timed } from '../testing/contract';
import { capacityOf, type TopK, topK, type TopKSummary } from './topK';

/** A skewed alphabet, so heavy hitters exist. */
const value = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) },
);

function truth(xs: readonly Timed[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(String(x.value), (counts.get(String(x.value)) ?? 0) + 1);
  return counts;
}

/** Space-Saving's guarantees against the exact counts. */
function withinBound(s: TopK, xs: readonly Timed[]): void {
  const exact = truth(xs);
  expect(s.total).toBe(xs.length);
  const kept = new Map(s.items.map((e) => [e.item, e]));
  for (const e of s.items) {
    const t = exact.get(e.item) ?? 0;
    expect(e.count).toBeGreaterThanOrEqual(t);
    expect(e.count - e.error).toBeLessThanOrEqual(t);
    expect(e.error).toBeLessThanOrEqual(s.total / s.capacity);
  }
  for (const [item, t] of exact) if (t > s.total / s.capacity) expect(kept.has(item)).toBe(true);
}

describe('topK (Space-Saving)', () => {
  const options = { k: 3, capacity: capacityOf({ k: 3, capacity: 4 }) };
  aggregatorContract({
    aggregator: topK,
    options,
    value,
    // Commutative exactly; associativity and equality with one accumulation hold within the bound: the same total,
    // and each item's count range [count - maxError, count] contains its true count in both.
    laws: {
      same: (a: TopK, b: TopK, xs) => {
        expect(a.total).toBe(b.total);
        withinBound(a, xs);
        withinBound(b, xs);
      },
    },
    withinBound,
    numRuns: 300,
  });

  it('is exact while the distinct items fit in the counters', () => {
    const b = topK.create({ k: 2, capacity: 5 });
    for (const v of ['x', 'y', 'x', 'z', 'x', 'y']) b.add(v, 0);
    expect(topK.summarize(b.state())).toEqual({
      total: 6,
      items: [
        { value: 'x', count: 3, maxError: 0, share: 0.5 },
        { value: 'y', count: 2, maxError: 0, share: 0.333333 },
      ],
    } satisfies TopKSummary);
  });

  it('reports every item over 1/k of a skewed stream of 100,000 values, merged from 8 parts', () => {
    const k = 10;
    const parts = Array.from({ length: 8 }, () => topK.create({ k }));
    const exact = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      // Items 0..4 take 15 % each; the rest spreads over 5,000 items.
      const item = i % 20 < 15 ? `hot${i % 5}` : `cold${(i * 7919) % 5000}`;
      exact.set(item, (exact.get(item) ?? 0) + 1);
      (parts[i % 8] as ReturnType<typeof topK.create>).add(item, i);
    }
    const merged = parts.map((p) => p.state()).reduce((a, b) => topK.merge(a, b));
    const r = topK.summarize(merged) as TopKSummary;
    for (const [item, t] of exact) {
      if (t <= 100_000 / k) continue;
      const found = r.items.find((e) => e.value === item);
      expect(found).toBeDefined();
      expect(found!.count - found!.maxError).toBeLessThanOrEqual(t);
      expect(found!.count).toBeGreaterThanOrEqual(t);
    }
  });

  it('rejects a capacity below k in its options schema', () => {
    const r = topK.options.safeParse({ k: 5, capacity: 2 });
    expect(r.success).toBe(false);
  });
});
