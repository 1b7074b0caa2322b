import { mixtureQuantiles } from './quantiles';
import type { RangeSummary, WindowPoint } from './types';

/**
 * Summary of every event in the range from window summaries. Count, sum, mean,
 * min and max are exact; the variance is pooled exactly from each window's count,
 * mean and (population) variance with the parallel-variance identity
 *   M2 = sum_i (n_i * s_i^2 + n_i * (m_i - mean)^2),  stddev = sqrt(M2 / N).
 * Quantiles are approximate (see quantiles.ts). Returns null for no events.
 */
export function summarize(windows: readonly WindowPoint[]): RangeSummary | null {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let used = 0;
  for (const w of windows) {
    if (!(w.count > 0)) continue;
    used++;
    n += w.count;
    sum += w.sum ?? w.mean * w.count;
    if (w.min < min) min = w.min;
    if (w.max > max) max = w.max;
  }
  if (n === 0) return null;
  const mean = sum / n;
  let m2 = 0;
  for (const w of windows) {
    if (!(w.count > 0)) continue;
    const d = w.mean - mean;
    m2 += w.count * (w.stddev * w.stddev + d * d);
  }
  const hasQuantiles = windows.some((w) => w.count > 0 && w.p50 !== undefined);
  const [p50, p90, p99] = hasQuantiles ? mixtureQuantiles(windows, [0.5, 0.9, 0.99]) : [null, null, null];
  return {
    windows: used,
    count: n,
    sum,
    mean,
    stddev: Math.sqrt(m2 / n),
    min,
    max,
    p50: p50 ?? null,
    p90: p90 ?? null,
    p99: p99 ?? null,
  };
}
