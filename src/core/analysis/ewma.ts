import { anomalyAt, usable } from './anomaly';
import { diffSigma, mad, MAD_SCALE, median } from './stats';
import type { Anomaly, WindowPoint } from './types';

export interface EwmaOptions {
  /** Smoothing of the EWMA mean (weight of the newest point). */
  alpha: number;
  /** Smoothing of the EWMA variance; slower than the mean so one noisy stretch does not shrink it. */
  varianceAlpha: number;
  /** |x - ewma| / ewma sigma at or above this is a spike (up) or dip (down). */
  threshold: number;
  /** Points used to initialise mean and variance (median and MAD); they are not scored. */
  warmup: number;
}

export const EWMA_DEFAULTS: EwmaOptions = { alpha: 0.3, varianceAlpha: 0.1, threshold: 4, warmup: 8 };

/**
 * Local spikes and dips: each window mean is compared with the EWMA forecast made
 * from the points before it. The state is updated with the point winsorised to
 * mean +- threshold * sigma, so a spike does not inflate the variance for the
 * windows after it, while a lasting level shift is still absorbed within a few windows.
 */
export function ewma(windows: readonly WindowPoint[], options: Partial<EwmaOptions> = {}): Anomaly[] {
  const o = { ...EWMA_DEFAULTS, ...options };
  const ws = usable(windows);
  if (ws.length <= o.warmup) return [];
  const head = ws.slice(0, o.warmup).map((w) => w.mean);
  let mu = median(head);
  // A variance from a handful of warm-up points is often far too small and then flags
  // ordinary noise; the whole range's robust noise level is a steadier start.
  const noise = diffSigma(ws.map((w) => w.mean));
  let v = noise ** 2;
  if (!(v > 0)) v = (MAD_SCALE * mad(head, mu)) ** 2;
  // The EWMA variance follows only ~2/varianceAlpha points, so it is sometimes far too
  // small by chance and ordinary noise then looks like a spike. Never trust it below the
  // range's robust noise level (inflated by the variance the EWMA mean itself carries).
  const floor = Number.isFinite(noise) ? noise * Math.sqrt(2 / (2 - o.alpha)) : 0;
  const out: Anomaly[] = [];
  for (let i = o.warmup; i < ws.length; i++) {
    const w = ws[i]!;
    // A floor keeps a perfectly flat history from dividing by zero; any change after it is then extreme.
    const sigma = Math.max(Math.sqrt(v), floor, 1e-9 * Math.max(1, Math.abs(mu)));
    const score = Math.abs(w.mean - mu) / sigma;
    if (score >= o.threshold) {
      out.push(anomalyAt(w, 'ewma', w.mean >= mu ? 'spike' : 'dip', score, o.threshold, w.mean, mu));
    }
    const x = Math.min(Math.max(w.mean, mu - o.threshold * sigma), mu + o.threshold * sigma);
    const diff = x - mu;
    mu += o.alpha * diff;
    v = (1 - o.varianceAlpha) * (v + o.varianceAlpha * diff * diff);
  }
  return out;
}
