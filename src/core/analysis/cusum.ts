import { anomalyAt, usable } from './anomaly';
import { diffSigma, mad, MAD_SCALE, median } from './stats';
import type { Anomaly, WindowPoint } from './types';

export interface CusumOptions {
  /** Allowance in sigmas: half the smallest shift worth detecting. */
  k: number;
  /** Decision threshold on the cumulative sum, in sigmas. */
  h: number;
  /** Each standardised point counts at most this much, so one spike alone cannot raise an alarm. */
  clamp: number;
  /** Windows after the change used to confirm it and to learn the new level. */
  confirm: number;
  /** A confirmed shift must be at least this many sigmas; severity = shift / minShift. */
  minShift: number;
}

export const CUSUM_DEFAULTS: CusumOptions = { k: 0.5, h: 5, clamp: 3, confirm: 8, minShift: 1.5 };

/**
 * Level shifts by a two-sided standardised CUSUM on the window means.
 * sigma is estimated from successive differences (robust to the very shifts being
 * sought); the reference level is the median of the first windows. On an alarm the
 * change is confirmed only if the
 * median of the `confirm` windows after the alarm is at least `minShift` sigmas from the
 * old level (this rejects short bursts and noise). It is then placed by changePoint, and the new level is the median from the
 * change to the end of the confirmation windows, and scanning resumes there. A change too
 * close to the end of the range to be confirmed is not reported by this method.
 */
export function cusum(windows: readonly WindowPoint[], options: Partial<CusumOptions> = {}): Anomaly[] {
  const o = { ...CUSUM_DEFAULTS, ...options };
  const ws = usable(windows);
  const xs = ws.map((w) => w.mean);
  const baseline = Math.min(10, Math.max(3, Math.floor(xs.length / 4)));
  if (xs.length < baseline + o.confirm) return [];
  let sigma = diffSigma(xs);
  if (!(sigma > 0)) sigma = MAD_SCALE * mad(xs);
  if (!(sigma > 0)) return [];

  const out: Anomaly[] = [];
  let level = median(xs.slice(0, baseline));
  // The level of the current segment is refined from up to `learn` of its windows as they
  // arrive: a level from the first few windows alone is off by enough to fake a later shift.
  const learn = 30;
  let segment = 0;
  let hi = 0;
  let lo = 0;
  let hiStart = baseline;
  let loStart = baseline;
  for (let i = baseline; i < xs.length; i++) {
    if (i - segment <= learn && i - segment > baseline) level = median(xs.slice(segment, i));
    const z = Math.min(Math.max((xs[i]! - level) / sigma, -o.clamp), o.clamp);
    hi = Math.max(0, hi + z - o.k);
    lo = Math.max(0, lo - z - o.k);
    if (hi === 0) hiStart = i + 1;
    if (lo === 0) loStart = i + 1;
    if (hi <= o.h && lo <= o.h) continue;
    const start = hi > o.h ? hiStart : loStart;
    // Confirm on the windows after the alarm: the ones that raised it were picked for
    // being high (or low), so judging the shift by them would confirm noise.
    let after = xs.slice(i + 1, i + 1 + o.confirm);
    if (after.length < o.confirm) after = xs.slice(start);
    if (after.length < o.confirm) break;
    const shift = Math.abs(median(after) - level) / sigma;
    if (shift >= o.minShift) {
      const end = Math.min(xs.length, i + 1 + o.confirm);
      const at = changePoint(xs, level, start, i, end);
      const newLevel = median(xs.slice(at, Math.min(xs.length, Math.max(end, at + o.confirm))));
      out.push(anomalyAt(ws[at]!, 'cusum', 'level-shift', shift, o.minShift, newLevel, level));
      level = newLevel;
      segment = at;
      i = end - 1;
    }
    hi = 0;
    lo = 0;
    hiStart = loStart = i + 1;
  }
  return out;
}

/**
 * Most likely start of a shift away from a known level, between the point where the
 * alarming sum last left zero and the alarm itself: the c maximising
 * |sum_{j=c}^{end-1} (x_j - level)| / sqrt(end - c) (the likelihood-ratio statistic of a
 * mean shift starting at c). The "last zero" alone drifts early when noise kept the sum
 * just above zero for a while before the real change.
 */
function changePoint(xs: readonly number[], level: number, from: number, alarm: number, end: number): number {
  let best = from;
  let bestStat = -1;
  let tail = 0;
  for (let j = end - 1; j >= from; j--) {
    tail += xs[j]! - level;
    if (j > alarm) continue;
    const stat = Math.abs(tail) / Math.sqrt(end - j);
    if (stat > bestStat) {
      bestStat = stat;
      best = j;
    }
  }
  return best;
}
