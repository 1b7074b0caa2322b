import fc from 'fast-check';

import { aggregatorContract } from '../testing/contract';
import { type Quantiles, quantiles, type QuantilesSummary } from './quantiles';

describe('quantiles', () => {
  aggregatorContract({
    aggregator: quantiles,
    options: { accuracy: 0.01 },
    value: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ min: 1e-3, max: 1e6, noNaN: true })),
    // The bins merge exactly (sketchCodec.test.ts), so the encodings are equal byte for byte.
    laws: 'exact',
    withinBound: (s: Quantiles, xs) => {
      const values = xs.map((x) => x.value as number).sort((a, b) => a - b);
      const r = quantiles.summarize(s) as QuantilesSummary;
      expect(r.count).toBe(values.length);
      if (values.length === 0) return expect(r.p50).toBeNull();
      // DDSketch: the p50 is within the relative accuracy of some value of rank within the sketch's lower quantile rank.
      const p50 = r.p50 as number;
      expect(values.some((v) => Math.abs(p50 - v) <= 0.011 * Math.abs(v) + 1e-12)).toBe(true);
      expect(p50).toBeGreaterThanOrEqual(values[0] as number);
      expect(p50).toBeLessThanOrEqual(values[values.length - 1] as number);
    },
  });
});
