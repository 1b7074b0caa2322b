import fc from 'fast-check';

import { correlations, mostActive, pearson, rankBySeverity, type StreamSeries } from './crossStream';

const series = (stream: string, count: number, pairs: [string, number][]): StreamSeries => ({
  stream,
  count,
  means: new Map(pairs),
});

describe('cross-stream', () => {
  it('ranks by severity then name', () => {
    const ranked = rankBySeverity([
      { stream: 'b', maxSeverity: 1 },
      { stream: 'c', maxSeverity: 3 },
      { stream: 'a', maxSeverity: 1 },
    ]);
    expect(ranked.map((r) => r.stream)).toEqual(['c', 'a', 'b']);
  });

  it('correlates on aligned windows only and omits short or constant pairs', () => {
    const a = series('a', 10, [
      ['t1', 1],
      ['t2', 2],
      ['t3', 3],
      ['t4', 4],
    ]);
    const b = series('b', 9, [
      ['t1', 10],
      ['t2', 20],
      ['t3', 30],
      ['t9', -5],
    ]); // 3 aligned, perfectly linear
    const c = series('c', 8, [
      ['t1', 3],
      ['t2', 2],
      ['t3', 1],
      ['t4', 0],
    ]); // anti-correlated with a
    const d = series('d', 7, [
      ['t1', 1],
      ['t2', 1],
    ]); // 2 aligned points only
    const e = series('e', 6, [
      ['t1', 5],
      ['t2', 5],
      ['t3', 5],
    ]); // constant
    const out = correlations([a, b, c, d, e]);
    expect(out.map((p) => [p.a, p.b, p.points])).toEqual([
      ['a', 'b', 3],
      ['a', 'c', 4],
      ['b', 'c', 3],
    ]);
    expect(out[0]!.r).toBeCloseTo(1, 12);
    expect(out[1]!.r).toBeCloseTo(-1, 12);
  });

  it('picks the most active streams', () => {
    expect(mostActive([series('x', 1, []), series('y', 5, []), series('z', 3, [])], 2).map((s) => s.stream)).toEqual([
      'y',
      'z',
    ]);
  });

  it('pearson is symmetric, bounded and invariant to positive affine maps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })), {
          minLength: 3,
          maxLength: 30,
        }),
        (pts) => {
          const xs = pts.map((p) => p[0]);
          const ys = pts.map((p) => p[1]);
          const r = pearson(xs, ys);
          if (r === null) return;
          expect(Math.abs(r)).toBeLessThanOrEqual(1);
          expect(pearson(ys, xs)).toBeCloseTo(r, 10);
          expect(
            pearson(
              xs.map((x) => 3 * x + 7),
              ys,
            ),
          ).toBeCloseTo(r, 10);
        },
      ),
    );
  });
});
