/** Small descriptive helpers shared by the detectors. */

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? NaN : s / xs.length;
}

/** Median of a copy; NaN for an empty input. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation around the median (unscaled). */
export function mad(xs: readonly number[], center = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - center)));
}

/** 1 / Phi^-1(0.75): scales a MAD into a consistent estimate of a normal sigma. */
export const MAD_SCALE = 1.4826;

/**
 * Robust sigma of the noise around a moving level: MAD of successive differences,
 * divided by sqrt(2) because a difference of two independent points has twice the variance.
 * A level shift or a trend moves only a few differences, so they barely move this estimate.
 */
export function diffSigma(xs: readonly number[]): number {
  if (xs.length < 3) return NaN;
  const d: number[] = [];
  for (let i = 1; i < xs.length; i++) d.push(xs[i]! - xs[i - 1]!);
  return (MAD_SCALE * mad(d)) / Math.SQRT2;
}
