import { usable } from './anomaly';
import { studentTQuantile } from './studentT';
import type { Trend, WindowPoint } from './types';

const HOUR_MS = 3_600_000;

/**
 * Ordinary least squares of window mean on window start time (hours since the first
 * window). Every window weighs the same, whatever its count: the question is how the
 * stream's level moves, not where most events were. The 95% interval of the slope is
 * slope +- t(0.975, n - 2) * se, se = sqrt(SSE / (n - 2) / Sxx). Null below 3 windows.
 */
export function trend(windows: readonly WindowPoint[]): Trend | null {
  const ws = usable(windows);
  const n = ws.length;
  if (n < 3) return null;
  const t0 = Date.parse(ws[0]!.start);
  const xs = ws.map((w) => (Date.parse(w.start) - t0) / HOUR_MS);
  const ys = ws.map((w) => w.mean);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - intercept - slope * xs[i]!) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const half = studentTQuantile(0.975, n - 2) * se;
  return {
    slopePerHour: slope,
    ci95: [slope - half, slope + half],
    intercept,
    // A flat series has no variance to explain; r² is undefined there, not 0 or 1.
    r2: syy > 0 ? Math.max(0, 1 - sse / syy) : null,
    points: n,
  };
}
