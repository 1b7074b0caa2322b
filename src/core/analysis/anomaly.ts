import type { Anomaly, AnomalyKind, AnomalyMethod, WindowPoint } from './types';

/** Builds an Anomaly for window w; direction follows the sign of value - expected. */
export function anomalyAt(
  w: WindowPoint,
  method: AnomalyMethod,
  kind: AnomalyKind,
  score: number,
  threshold: number,
  value: number,
  expected: number,
): Anomaly {
  return {
    time: w.start,
    windowStart: w.start,
    windowEnd: w.end,
    score,
    severity: score / threshold,
    kind,
    direction: value >= expected ? 'up' : 'down',
    method,
    value,
    expected,
  };
}

/** Windows that carry a usable mean (closed windows with events). */
export function usable(windows: readonly WindowPoint[]): WindowPoint[] {
  return windows.filter((w) => w.count > 0 && Number.isFinite(w.mean));
}
