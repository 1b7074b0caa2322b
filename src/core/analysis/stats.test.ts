import { gaussian, mulberry32 } from '../random/prng';
import { diffSigma, mad, mean, median } from './stats';

describe('stats', () => {
  it('computes mean, median and MAD', () => {
    expect(mean([1, 2, 3, 10])).toBe(4);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('diffSigma estimates the noise sigma and barely moves with a level shift', () => {
    const g = gaussian(mulberry32(7));
    const noise = Array.from({ length: 400 }, () => 2 * g());
    const shifted = noise.map((x, i) => (i >= 200 ? x + 50 : x));
    const s = diffSigma(noise);
    expect(s).toBeGreaterThan(1.7);
    expect(s).toBeLessThan(2.3);
    expect(Math.abs(diffSigma(shifted) - s)).toBeLessThan(0.1);
  });
});
