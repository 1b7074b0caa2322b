import { mixtureQuantiles } from './quantiles';
import type { WindowPoint } from './types';

const w = (over: Partial<WindowPoint>): WindowPoint => ({
  start: '2025-01-01T00:00:00.000Z',
  end: '2025-01-01T00:01:00.000Z',
  count: 100,
  mean: 5,
  stddev: 1,
  min: 0,
  max: 10,
  p50: 5,
  p90: 9,
  p99: 9.9,
  ...over,
});

describe('mixtureQuantiles', () => {
  it('inverts a single uniform-looking window exactly', () => {
    expect(mixtureQuantiles([w({})], [0.25, 0.5, 0.95])).toEqual([2.5, 5, expect.closeTo(9.5, 9)]);
  });

  it('weights windows by count', () => {
    // 300 events uniform on [0,10] and 100 on [100,110]: the median lies in the first window.
    const out = mixtureQuantiles(
      [w({ count: 300 }), w({ count: 100, min: 100, p50: 105, p90: 109, p99: 109.9, max: 110 })],
      [0.5, 0.8],
    );
    expect(out[0]).toBeCloseTo(6.6667, 3);
    expect(out[1]).toBeCloseTo(102, 6);
  });

  it('handles point masses (constant windows)', () => {
    const c = w({ min: 3, p50: 3, p90: 3, p99: 3, max: 3, mean: 3 });
    expect(mixtureQuantiles([c], [0.1, 0.99])).toEqual([3, 3]);
  });

  it('returns null without events', () => {
    expect(mixtureQuantiles([w({ count: 0 })], [0.5])).toEqual([null]);
  });
});
