import fc from 'fast-check';

import { aggregateOf } from '../aggregates';
import { gaussian, mulberry32 } from '../random/prng';
import { summarizeRange } from './summarizeRange';
import { windowOf } from './testing/windows';

const T0 = Date.UTC(2025, 0, 1);

function exact(values: number[]) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  return { mean, stddev: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n) };
}

describe('summarizeRange', () => {
  it('pools count, mean and stddev exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 10,
        }),
        (chunks) => {
          const windows = chunks.map((c, i) => windowOf(c, T0 + i * 60_000));
          const all = chunks.flat();
          const s = summarizeRange(windows)!;
          const e = exact(all);
          expect(s.count).toBe(all.length);
          expect(s.mean).toBeCloseTo(e.mean, 6);
          expect(s.stddev).toBeCloseTo(e.stddev, 6);
          expect(s.min).toBe(Math.min(...all));
          expect(s.max).toBe(Math.max(...all));
        },
      ),
    );
  });

  it('does not average stddevs: two tight windows far apart have a large pooled stddev', () => {
    const s = summarizeRange([windowOf([0, 0, 0, 0], T0), windowOf([10, 10, 10, 10], T0 + 60_000)])!;
    expect(s.stddev).toBeCloseTo(5, 12);
  });

  it('approximates quantiles close to the exact ones', () => {
    const g = gaussian(mulberry32(3));
    const chunks = Array.from({ length: 50 }, (_, i) => Array.from({ length: 200 }, () => 100 + 10 * g() + (i % 5)));
    const all = chunks.flat().sort((a, b) => a - b);
    const s = summarizeRange(chunks.map((c, i) => windowOf(c, T0 + i * 60_000)))!;
    const q = (p: number) => all[Math.ceil(p * all.length) - 1]!;
    expect(Math.abs(s.p50! - q(0.5))).toBeLessThan(0.5);
    expect(Math.abs(s.p90! - q(0.9))).toBeLessThan(0.5);
    expect(Math.abs(s.p99! - q(0.99))).toBeLessThan(1.5);
    expect(s.p50!).toBeLessThan(s.p90!);
    expect(s.p90!).toBeLessThan(s.p99!);
  });

  it('merges DDSketches when every window carries one', () => {
    const chunks = [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [-50, -40, 100, 200],
    ];
    const windows = chunks.map((c, i) => {
      const agg = aggregateOf(c.map((value) => ({ value, time: T0 })));
      return { ...windowOf(c, T0 + i * 60_000), sketch: agg.sketch };
    });
    const s = summarizeRange(windows)!;
    const all = chunks.flat().sort((a, b) => a - b);
    // DDSketch (1% relative accuracy) ranks q * (n - 1): the median is all[6], p99 is all[12].
    expect(s.p50).toBeCloseTo(all[6]!, 0);
    expect(Math.abs(s.p99! - all[12]!)).toBeLessThanOrEqual(0.01 * all[12]!);
    expect(s.min).toBe(-50);
  });

  it('ignores empty windows and returns null for none', () => {
    expect(summarizeRange([])).toBeNull();
    const empty = { ...windowOf([1], T0), count: 0 };
    expect(summarizeRange([empty])).toBeNull();
    expect(summarizeRange([empty, windowOf([4, 6], T0 + 60_000)])!.mean).toBe(5);
  });
});
