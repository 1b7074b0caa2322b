import { usable } from './anomaly';
import { normalQuantile } from './studentT';
import type { Forecast, WindowPoint } from './types';

export interface HoltOptions {
  /** Fixed smoothing of level and trend; when absent both are fitted by grid search on SSE. */
  alpha?: number;
  beta?: number;
  horizon: number;
}

export const HOLT_DEFAULTS = { horizon: 12 };
const GRID = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

interface Fit {
  alpha: number;
  beta: number;
  level: number;
  slope: number;
  sse: number;
  residuals: number;
}

/** Runs Holt's recursions; level starts at y0, trend at y1 - y0, one-step errors from y2 on. */
function fit(ys: readonly number[], alpha: number, beta: number): Fit {
  let level = ys[0]!;
  let slope = ys[1]! - ys[0]!;
  let sse = 0;
  for (let t = 1; t < ys.length; t++) {
    const y = ys[t]!;
    if (t >= 2) sse += (y - (level + slope)) ** 2;
    const prev = level;
    level = alpha * y + (1 - alpha) * (level + slope);
    slope = beta * (level - prev) + (1 - beta) * slope;
  }
  return { alpha, beta, level, slope, sse, residuals: ys.length - 2 };
}

/**
 * Holt's linear trend forecast of the window means for the next `horizon` windows,
 * spaced by the median gap between window starts. alpha and beta are fitted on a
 * grid (0.05 .. 1) minimising the one-step-ahead SSE unless given. The 95% prediction
 * interval uses the one-step residual variance grown with the horizon h as for the
 * equivalent ARIMA(0,2,2) model (Hyndman & Athanasopoulos, FPP 3rd ed., table 5.2):
 *   var_h = sigma^2 * (1 + (h - 1) * (alpha^2 + alpha*beta*h + beta^2*h*(2h - 1) / 6)).
 * Null below 4 windows (two to initialise, two to measure an error).
 */
export function holtForecast(windows: readonly WindowPoint[], options: Partial<HoltOptions> = {}): Forecast | null {
  const horizon = options.horizon ?? HOLT_DEFAULTS.horizon;
  const ws = usable(windows);
  if (ws.length < 4 || horizon < 1) return null;
  const ys = ws.map((w) => w.mean);
  let best: Fit | undefined;
  for (const a of options.alpha !== undefined ? [options.alpha] : GRID) {
    for (const b of options.beta !== undefined ? [options.beta] : GRID) {
      const f = fit(ys, a, b);
      // Ties (e.g. an exact line) go to the smoothest parameters, listed first.
      if (!best || f.sse < best.sse - 1e-12 * Math.max(1, best.sse)) best = f;
    }
  }
  const f = best!;
  const sigma2 = f.sse / f.residuals;
  const z = normalQuantile(0.975);
  const step = medianStep(ws);
  const lastStart = Date.parse(ws[ws.length - 1]!.start);
  const length = Date.parse(ws[ws.length - 1]!.end) - lastStart;
  const points = Array.from({ length: horizon }, (_, k) => {
    const h = k + 1;
    const value = f.level + h * f.slope;
    const varH = sigma2 * (1 + (h - 1) * (f.alpha ** 2 + f.alpha * f.beta * h + (f.beta ** 2 * h * (2 * h - 1)) / 6));
    const half = z * Math.sqrt(varH);
    const start = lastStart + h * step;
    return {
      windowStart: new Date(start).toISOString(),
      windowEnd: new Date(start + length).toISOString(),
      value,
      lower: value - half,
      upper: value + half,
    };
  });
  return { method: 'holt', alpha: f.alpha, beta: f.beta, rmse: Math.sqrt(sigma2), points };
}

function medianStep(ws: readonly WindowPoint[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < ws.length; i++) gaps.push(Date.parse(ws[i]!.start) - Date.parse(ws[i - 1]!.start));
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}
