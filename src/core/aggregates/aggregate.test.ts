import fc from 'fast-check';

import {
  type Aggregate,
  aggregateOf,
  emptyAggregate,
  mergeAggregates,
  mergeAggregatesAll,
  summarize,
  type TimedValue,
} from './aggregate';
import { moments } from './kinds/moments';
import { quantiles } from './kinds/quantiles';

const point = fc.record({ time: fc.integer({ min: 0, max: 1e6 }), value: fc.integer({ min: -1e6, max: 1e6 }) });
const points = fc.array(point, { maxLength: 40 });

function expectSame(a: Aggregate, b: Aggregate): void {
  expect(a.count).toBe(b.count);
  expect(a.sum).toBe(b.sum);
  expect(a.min).toBe(b.min);
  expect(a.max).toBe(b.max);
  expect(a.first).toEqual(b.first);
  expect(a.last).toEqual(b.last);
  expect(a.mean).toBeCloseTo(b.mean, 6);
  expect(Math.abs(a.m2 - b.m2)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.m2)));
  const sa = summarize(a);
  const sb = summarize(b);
  expect(sa.p50).toBe(sb.p50);
  expect(sa.p90).toBe(sb.p90);
  expect(sa.p99).toBe(sb.p99);
}

describe('aggregates', () => {
  it('summarizes exactly where exact and within the sketch accuracy for quantiles', () => {
    const values: TimedValue[] = Array.from({ length: 1000 }, (_, i) => ({ time: 1000 - i, value: i + 1 }));
    const s = summarize(aggregateOf(values));
    expect(s.count).toBe(1000);
    expect(s.sum).toBe(500_500);
    expect(s.min).toBe(1);
    expect(s.max).toBe(1000);
    expect(s.mean).toBeCloseTo(500.5);
    expect(s.stddev).toBeCloseTo(288.8194, 3);
    expect(s.first).toBe(1000);
    expect(s.last).toBe(1);
    expect(Math.abs((s.p50 as number) - 500) / 500).toBeLessThan(0.02);
    expect(Math.abs((s.p99 as number) - 990) / 990).toBeLessThan(0.02);
    expect(summarize(emptyAggregate())).toMatchObject({ count: 0, min: null, p50: null, mean: null });
  });

  it('merging equals aggregating everything at once (negative values included)', () => {
    fc.assert(
      fc.property(points, points, (xs, ys) => {
        expectSame(mergeAggregates(aggregateOf(xs), aggregateOf(ys)), aggregateOf([...xs, ...ys]));
      }),
      { numRuns: 300 },
    );
  });

  it('merge is commutative and associative', () => {
    fc.assert(
      fc.property(points, points, points, (xs, ys, zs) => {
        const [a, b, c] = [aggregateOf(xs), aggregateOf(ys), aggregateOf(zs)];
        expectSame(mergeAggregates(a, b), mergeAggregates(b, a));
        expectSame(mergeAggregates(mergeAggregates(a, b), c), mergeAggregates(a, mergeAggregates(b, c)));
      }),
      { numRuns: 200 },
    );
  });

  it('is the moments and quantiles modules side by side, field for field and byte for byte', () => {
    fc.assert(
      fc.property(points, (xs) => {
        const m = moments.create({});
        const q = quantiles.create({ accuracy: 0.01 });
        for (const x of xs) {
          m.add(x.value, x.time);
          q.add(x.value, x.time);
        }
        const { sketch, accuracy, ...rest } = aggregateOf(xs);
        expect(rest).toEqual(m.state());
        expect([sketch, accuracy]).toEqual([q.state().sketch, 0.01]);
        const s = summarize(aggregateOf(xs));
        expect(s).toEqual({
          ...moments.summarize(m.state()),
          p50: s.count === 0 ? null : quantiles.summarize(q.state()).p50,
          p90: s.count === 0 ? null : quantiles.summarize(q.state()).p90,
          p99: s.count === 0 ? null : quantiles.summarize(q.state()).p99,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('survives a JSON round trip', () => {
    fc.assert(
      fc.property(points, (xs) => {
        const a = aggregateOf(xs);
        expectSame(JSON.parse(JSON.stringify(a)) as Aggregate, a);
      }),
      { numRuns: 100 },
    );
  });
});

describe('mergeAggregatesAll', () => {
  it('is reduce(mergeAggregates), to the byte (empties anywhere, one, many)', () => {
    fc.assert(
      fc.property(fc.array(points, { minLength: 1, maxLength: 10 }), (lists) => {
        const aggregates = lists.map((p) => aggregateOf(p));
        expect(JSON.stringify(mergeAggregatesAll(aggregates))).toBe(JSON.stringify(aggregates.reduce(mergeAggregates)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an empty list', () => {
    expect(() => mergeAggregatesAll([])).toThrow(/at least one/);
    const empty = emptyAggregate();
    expect(mergeAggregatesAll([empty, emptyAggregate()])).toBe(empty);
  });
});
