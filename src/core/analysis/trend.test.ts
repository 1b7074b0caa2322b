import { gaussian, mulberry32 } from '../random/prng';
import { seriesOf } from './testing/windows';
import { trend } from './trend';

describe('trend', () => {
  it('recovers an exact line with a zero-width interval', () => {
    // one window per minute, +0.5 per window = +30 per hour
    const t = trend(seriesOf(Array.from({ length: 20 }, (_, i) => 10 + 0.5 * i)))!;
    expect(t.slopePerHour).toBeCloseTo(30, 9);
    expect(t.intercept).toBeCloseTo(10, 9);
    expect(t.ci95[1] - t.ci95[0]).toBeCloseTo(0, 9);
    expect(t.r2).toBeCloseTo(1, 12);
  });

  it('contains the true slope of a noisy line in its 95% interval about 95% of the time', () => {
    let covered = 0;
    const runs = 200;
    for (let seed = 1; seed <= runs; seed++) {
      const g = gaussian(mulberry32(seed));
      const t = trend(seriesOf(Array.from({ length: 60 }, (_, i) => 50 + 0.2 * i + 3 * g())))!;
      if (t.ci95[0] <= 12 && 12 <= t.ci95[1]) covered++;
    }
    // Binomial(200, 0.95) lies in [180, 198] with probability > 0.999.
    expect(covered).toBeGreaterThanOrEqual(180);
    expect(covered).toBeLessThanOrEqual(198);
  });

  it('reports r² null for a flat series and null below three windows', () => {
    const flat = trend(seriesOf([5, 5, 5, 5]))!;
    expect(flat.slopePerHour).toBe(0);
    expect(flat.r2).toBeNull();
    expect(trend(seriesOf([1, 2]))).toBeNull();
  });
});
