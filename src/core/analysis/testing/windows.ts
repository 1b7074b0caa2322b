import type { WindowPoint } from '../types';

/** Summarises raw values into a WindowPoint the way a window aggregate would (exact quantiles). */
export function windowOf(values: readonly number[], start: number, lengthMs = 60_000): WindowPoint {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const m2 = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
  return {
    start: new Date(start).toISOString(),
    end: new Date(start + lengthMs).toISOString(),
    count: n,
    sum: mean * n,
    mean,
    stddev: Math.sqrt(m2 / n),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
  };
}

/** A series of windows whose means are exactly `means` (count 1 each), one per minute from t0. */
export function seriesOf(means: readonly number[], t0 = Date.UTC(2025, 0, 1), lengthMs = 60_000): WindowPoint[] {
  return means.map((m, i) => windowOf([m], t0 + i * lengthMs, lengthMs));
}
