import fc from 'fast-check';

import { aggregatorContract } from '../testing/contract';
import { distinct, type DistinctSummary, estimate, type Hll } from './distinct';

const of = (values: readonly (string | number)[], precision = 14): Hll => {
  const b = distinct.create({ precision });
  for (const v of values) b.add(v, 0);
  return b.state();
};

describe('distinct (HyperLogLog)', () => {
  // Small precision, so the runs cross from the sparse to the dense form (m / 8 = 8 registers at precision 6).
  aggregatorContract({
    aggregator: distinct,
    options: { precision: 6 },
    value: fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: 0, max: 500 })),
    laws: 'exact',
    withinBound: (s: Hll, xs) => {
      const truth = new Set(xs.map((x) => String(x.value))).size;
      const r = distinct.summarize(s) as DistinctSummary;
      // 3 standard errors at precision 6 (13 %), plus 1 for rounding at tiny counts.
      expect(Math.abs(r.estimate - truth)).toBeLessThanOrEqual(3 * r.standardError * truth + 1);
    },
  });
  aggregatorContract({
    aggregator: distinct,
    options: { precision: 14 },
    value: fc.string({ maxLength: 4 }),
    laws: 'exact',
    numRuns: 40,
  });

  it('is within 3 standard errors (0.81 % at precision 14) from 10 to 300,000 distinct values, sparse then dense', () => {
    for (const n of [10, 1000, 2048, 5000, 30_000, 300_000]) {
      const values = Array.from({ length: n }, (_, i) => `user-${i}`);
      const h = of(values);
      const r = distinct.summarize(h) as DistinctSummary;
      expect(r.standardError).toBeCloseTo(0.008125, 5);
      expect(Math.abs(r.estimate - n) / n).toBeLessThanOrEqual(3 * r.standardError);
      expect(h.sparse !== null).toBe(n <= 2048);
    }
  });

  it('counts a number and its text as one value, and repeats once', () => {
    expect(estimate(of([1, '1', 1, '1']))).toBeCloseTo(1, 3);
    expect(estimate(of([]))).toBe(0);
  });

  it('states its budget: sparse about 2 bytes per set register, dense 12 KiB at precision 14', () => {
    const sparse = distinct.encode(of(Array.from({ length: 500 }, (_, i) => `v${i}`)));
    expect(Buffer.from(sparse, 'base64').length).toBeLessThan(500 * 3);
    const dense = distinct.encode(of(Array.from({ length: 50_000 }, (_, i) => `v${i}`)));
    expect(Buffer.from(dense, 'base64').length).toBe(3 + 12_288);
  });

  it('refuses to merge different precisions and names them', () => {
    expect(() => distinct.merge(of(['a'], 10), of(['a'], 12))).toThrow('cannot merge precision 10 with precision 12');
  });
});

describe('distinct builder forms', () => {
  it('builds the registers a merge of one-value states gives, through the small, map and dense forms (property)', () => {
    // Precision 4 to 12: m / 8 is 2 to 512 registers, so runs cross the small array (128), the Map and the dense form.
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 12 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 20 }),
        (precision, n, distinctValues, extra) => {
          const values = [...Array.from({ length: n }, (_, i) => (i % 2 ? `v${i % distinctValues}` : i)), ...extra];
          // Merged pairwise (a left fold would copy a growing state once per value).
          let states = values.map((v) => of([v], precision));
          while (states.length > 1)
            states = Array.from({ length: Math.ceil(states.length / 2) }, (_, i) =>
              i * 2 + 1 < states.length
                ? distinct.merge(states[i * 2] as Hll, states[i * 2 + 1] as Hll)
                : (states[i * 2] as Hll),
            );
          expect(of(values, precision)).toEqual(states[0] ?? of([], precision));
        },
      ),
      { numRuns: 60 },
    );
  });
});
