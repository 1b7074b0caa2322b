import fc from 'fast-check';

import { normalQuantile, studentTCdf, studentTQuantile } from './studentT';

describe('studentTQuantile', () => {
  // Reference values from standard t tables (two-sided 95% => p = 0.975).
  it.each([
    [1, 12.7062047],
    [2, 4.3026527],
    [5, 2.5705818],
    [10, 2.2281389],
    [30, 2.0422725],
    [120, 1.9799304],
  ])('t(0.975, df=%d) = %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 6);
  });

  it('matches other table entries and symmetry', () => {
    expect(studentTQuantile(0.95, 3)).toBeCloseTo(2.3533634, 6);
    expect(studentTQuantile(0.995, 20)).toBeCloseTo(2.8453397, 6);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.2281389, 6);
  });

  it('approaches the normal quantile for large df', () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
  });

  it('inverts the CDF', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        (p, df) => {
          expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 8);
        },
      ),
    );
  });

  it('rejects bad arguments with a clear message', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('expected 0 < p < 1, found 1');
    expect(() => studentTQuantile(0.5, 0)).toThrow('expected df > 0, found 0');
  });
});
