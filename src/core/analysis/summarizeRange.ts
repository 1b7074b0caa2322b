import { decodeSketch, mergeEncodedSketches } from '../aggregates';
import { quantile } from '../aggregates/sketch';
import { mixtureQuantiles } from './quantiles';
import type { RangeSummary, WindowPoint } from './types';

/**
 * Summary of every event in the range from window summaries. Count, sum, mean,
 * min and max are exact; the variance is pooled exactly from each window's count,
 * mean and (population) variance with the parallel-variance identity
 *   M2 = sum_i (n_i * s_i^2 + n_i * (m_i - mean)^2),  stddev = sqrt(M2 / N).
 * Quantiles are approximate (see quantiles.ts). Returns null for no events.
 */
export function summarizeRange(windows: readonly WindowPoint[]): RangeSummary | null {
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
  const [p50, p90, p99] = rangeQuantiles(windows, min, max);
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

const QS = [0.5, 0.9, 0.99];

function rangeQuantiles(windows: readonly WindowPoint[], min: number, max: number): (number | null)[] {
  const nonEmpty = windows.filter((w) => w.count > 0);
  if (nonEmpty.every((w) => typeof w.sketch === 'string' && w.sketch.length > 0)) {
    // Sketches merge exactly, so the range quantiles keep the sketch's relative accuracy.
    const merged = mergedSketch(nonEmpty);
    if (merged) return QS.map((q) => quantile(merged, q, min, max));
  }
  if (nonEmpty.some((w) => w.p50 !== undefined)) return mixtureQuantiles(nonEmpty, QS);
  return QS.map(() => null);
}

/** Undefined when a sketch does not decode (corrupt row): the window quantiles still give an answer. */
function mergedSketch(windows: readonly WindowPoint[]): ReturnType<typeof decodeSketch> | undefined {
  try {
    // Merged on the encodings (one bin reader for the whole project), decoded once.
    return decodeSketch(windows.map((w) => w.sketch!).reduce((a, b) => mergeEncodedSketches(a, b)));
  } catch {
    return undefined;
  }
}
