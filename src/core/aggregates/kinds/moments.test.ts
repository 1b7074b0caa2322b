import fc from 'fast-check';

import { aggregatorContract } from '../testing/contract';
import { type Moments, moments } from './moments';

describe('moments', () => {
  aggregatorContract({
    aggregator: moments,
    options: {},
    // Integers, so sums are exact in any order; mean and m2 are compared within rounding.
    value: fc.integer({ min: -1e6, max: 1e6 }),
    laws: {
      same: (a: Moments, b: Moments) => {
        expect([a.count, a.sum, a.min, a.max, a.first, a.last]).toEqual([
          b.count,
          b.sum,
          b.min,
          b.max,
          b.first,
          b.last,
        ]);
        expect(Math.abs(a.mean - b.mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b.mean)));
        expect(Math.abs(a.m2 - b.m2)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.m2)));
      },
    },
    withinBound: (s: Moments, xs) => {
      const values = xs.map((x) => x.value as number);
      expect(s.count).toBe(values.length);
      expect(s.sum).toBe(values.reduce((a, b) => a + b, 0));
      if (values.length > 0) expect(s.max).toBe(Math.max(...values));
    },
  });
});
