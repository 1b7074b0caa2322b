import type { Correlation, StreamResult } from './types';

/** Window means of one stream keyed by window start (ISO), for alignment across streams. */
export interface StreamSeries {
  stream: string;
  /** Total events over the range: "most active" means the largest total. */
  count: number;
  means: ReadonlyMap<string, number>;
}

/** Streams by descending max anomaly severity, then by name for a stable order. */
export function rankBySeverity<T extends Pick<StreamResult, 'stream' | 'maxSeverity'>>(results: readonly T[]): T[] {
  return [...results].sort(
    (a, b) => b.maxSeverity - a.maxSeverity || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0),
  );
}

/** The n streams with the most events, ties by name. */
export function mostActive(series: readonly StreamSeries[], n: number): StreamSeries[] {
  return [...series].sort((a, b) => b.count - a.count || (a.stream < b.stream ? -1 : 1)).slice(0, n);
}

/**
 * Pearson correlation of window means for every pair of the given streams, over the
 * windows both have (same start). Pairs with fewer than `minPoints` aligned windows,
 * or where either side is constant over them, are omitted: r is undefined there.
 * Sorted by descending |r|.
 */
export function correlations(series: readonly StreamSeries[], minPoints = 3): Correlation[] {
  const out: Correlation[] = [];
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      const a = series[i]!;
      const b = series[j]!;
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [start, x] of a.means) {
        const y = b.means.get(start);
        if (y !== undefined) {
          xs.push(x);
          ys.push(y);
        }
      }
      if (xs.length < minPoints) continue;
      const r = pearson(xs, ys);
      if (r !== null) out.push({ a: a.stream, b: b.stream, r, points: xs.length });
    }
  }
  return out.sort((p, q) => Math.abs(q.r) - Math.abs(p.r) || (p.a + '\n' + p.b < q.a + '\n' + q.b ? -1 : 1));
}

export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0 && syy > 0)) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}
