import type { WindowPoint } from './types';

/**
 * Approximate quantiles over many windows from each window's own quantiles.
 *
 * Each window is modelled as a piecewise-linear CDF through its known points
 * (min, 0), (p50, 0.5), (p90, 0.9), (p99, 0.99), (max, 1); a window without p50
 * uses its mean as the median. The range's CDF is the count-weighted mixture of
 * the window CDFs, and a quantile is where that mixture crosses q. This is exact
 * when every window has the same distribution shape, is never outside [min, max],
 * and unlike averaging window quantiles it respects how much mass lies where.
 * The mixture CDF is piecewise linear, so it is inverted exactly with one sweep
 * over the sorted knots: O(W log W) for W windows.
 */
export function mixtureQuantiles(windows: readonly WindowPoint[], qs: readonly number[]): (number | null)[] {
  // An event at x changes the mixture CDF's slope by dSlope and adds a jump (point mass).
  const events: { x: number; dSlope: number; jump: number }[] = [];
  let total = 0;
  for (const w of windows) {
    if (!(w.count > 0)) continue;
    total += w.count;
    const knots = windowKnots(w);
    for (let j = 0; j + 1 < knots.length; j++) {
      const [x0, p0] = knots[j]!;
      const [x1, p1] = knots[j + 1]!;
      const mass = (p1 - p0) * w.count;
      if (mass <= 0) continue;
      if (x1 > x0) {
        const slope = mass / (x1 - x0);
        events.push({ x: x0, dSlope: slope, jump: 0 }, { x: x1, dSlope: -slope, jump: 0 });
      } else {
        events.push({ x: x0, dSlope: 0, jump: mass });
      }
    }
  }
  if (total === 0 || events.length === 0) return qs.map(() => null);
  events.sort((a, b) => a.x - b.x);

  const targets = qs.map((q, i) => ({ q, i, mass: q * total })).sort((a, b) => a.q - b.q);
  const out: (number | null)[] = qs.map(() => null);
  let t = 0;
  let cdf = 0;
  let slope = 0;
  let x = events[0]!.x;
  for (const e of events) {
    // Linear stretch from x to e.x at the current slope.
    const next = cdf + slope * (e.x - x);
    while (t < targets.length && targets[t]!.mass <= next) {
      const target = targets[t]!;
      out[target.i] = slope > 0 ? x + (target.mass - cdf) / slope : e.x;
      t++;
    }
    cdf = next;
    x = e.x;
    slope += e.dSlope;
    cdf += e.jump;
    while (t < targets.length && targets[t]!.mass <= cdf) {
      out[targets[t]!.i] = x;
      t++;
    }
  }
  for (; t < targets.length; t++) out[targets[t]!.i] = x;
  return out;
}

/** Knots (value, cumulative probability) of one window, clamped to be non-decreasing. */
function windowKnots(w: WindowPoint): [number, number][] {
  const raw: [number | undefined, number][] = [
    [w.min, 0],
    [w.p50 ?? w.mean, 0.5],
    [w.p90, 0.9],
    [w.p99, 0.99],
    [w.max, 1],
  ];
  const knots: [number, number][] = [];
  let last = -Infinity;
  for (const [v, p] of raw) {
    if (v === undefined || !Number.isFinite(v)) continue;
    // Quantile sketches can disagree slightly with exact min/max; keep the CDF monotone.
    const x = Math.min(Math.max(v, last), w.max);
    knots.push([x, p]);
    last = x;
  }
  return knots;
}
