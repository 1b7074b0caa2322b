import { anomalyAt, usable } from './anomaly';
import { MAD_SCALE, median } from './stats';
import type { Anomaly, WindowPoint } from './types';

export interface RobustZOptions {
  /** |modified z| at or above this is an outlier (Iglewicz & Hoaglin recommend 3.5). */
  threshold: number;
  /** Fewer windows than this give no verdict: a median of a handful of points says little. */
  minPoints: number;
}

export const ROBUST_Z_DEFAULTS: RobustZOptions = { threshold: 3.5, minPoints: 8 };

/**
 * Global outliers among window means: modified z = (x - median) / (1.4826 * MAD).
 * When more than half the means are equal the MAD is 0; then the mean absolute
 * deviation (scaled by sqrt(pi/2) = 1.2533 to estimate sigma) takes its place, so a
 * flat series with a single blip still reports it. A truly constant series reports none.
 */
export function robustZ(windows: readonly WindowPoint[], options: Partial<RobustZOptions> = {}): Anomaly[] {
  const o = { ...ROBUST_Z_DEFAULTS, ...options };
  const ws = usable(windows);
  if (ws.length < o.minPoints) return [];
  const xs = ws.map((w) => w.mean);
  const med = median(xs);
  const dev = xs.map((x) => Math.abs(x - med));
  let sigma = MAD_SCALE * median(dev);
  if (!(sigma > 0)) sigma = 1.2533 * (dev.reduce((a, b) => a + b, 0) / dev.length);
  if (!(sigma > 0)) return [];
  const out: Anomaly[] = [];
  ws.forEach((w, i) => {
    const score = dev[i]! / sigma;
    if (score >= o.threshold) out.push(anomalyAt(w, 'robust-z', 'outlier', score, o.threshold, w.mean, med));
  });
  return out;
}
