import { gaussian, mulberry32 } from '../random/prng';
import { holtForecast } from './holt';
import { seriesOf } from './testing/windows';

describe('holtForecast', () => {
  it('forecasts a clean line exactly with a zero-width interval', () => {
    const f = holtForecast(seriesOf(Array.from({ length: 30 }, (_, i) => 7 + 2 * i)), { horizon: 5 })!;
    expect(f.points.map((p) => p.value)).toEqual([67, 69, 71, 73, 75].map((v) => expect.closeTo(v, 9)));
    for (const p of f.points) expect(p.upper - p.lower).toBeCloseTo(0, 9);
    expect(f.points[0]!.windowStart).toBe('2025-01-01T00:30:00.000Z');
    expect(f.points[4]!.windowEnd).toBe('2025-01-01T00:35:00.000Z');
  });

  it('widens the interval with the horizon and covers the true continuation', () => {
    const g = gaussian(mulberry32(4));
    const ys = Array.from({ length: 112 }, (_, i) => 100 + 0.5 * i + 2 * g());
    const f = holtForecast(seriesOf(ys.slice(0, 100)), { horizon: 12 })!;
    const widths = f.points.map((p) => p.upper - p.lower);
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThan(widths[i - 1]!);
    const inside = f.points.filter((p, i) => p.lower <= ys[100 + i]! && ys[100 + i]! <= p.upper).length;
    expect(inside).toBeGreaterThanOrEqual(10);
    expect(f.rmse).toBeGreaterThan(1);
    expect(f.rmse).toBeLessThan(4);
  });

  it('uses fixed parameters when given and needs four windows', () => {
    const f = holtForecast(seriesOf([1, 2, 4, 3, 5]), { alpha: 0.3, beta: 0.1, horizon: 1 })!;
    expect([f.alpha, f.beta]).toEqual([0.3, 0.1]);
    expect(holtForecast(seriesOf([1, 2, 3]))).toBeNull();
  });
});
