import fc from 'fast-check';

import { gaussian, mulberry32 } from '../random/prng';
import { cusum } from './cusum';
import { DEFAULT_ALERT_MIN_SEVERITY, detectAnomalies } from './detectAnomalies';
import { ewma } from './ewma';
import { robustZ } from './robustZ';
import { seriesOf } from './testing/windows';

function noise(seed: number, n: number, mean = 100, sd = 5): number[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: n }, () => mean + sd * g());
}

describe('anomaly detection', () => {
  it('finds planted spikes and dips with robust z and EWMA', () => {
    const xs = noise(11, 200);
    xs[50] = 160; // +12 sigma
    xs[120] = 40; // -12 sigma
    const w = seriesOf(xs);
    const rz = robustZ(w);
    expect(rz.map((a) => a.windowStart)).toEqual([w[50]!.start, w[120]!.start]);
    expect(rz.map((a) => [a.kind, a.direction])).toEqual([
      ['outlier', 'up'],
      ['outlier', 'down'],
    ]);
    const ew = ewma(w);
    expect(ew.map((a) => [a.windowStart, a.kind])).toEqual([
      [w[50]!.start, 'spike'],
      [w[120]!.start, 'dip'],
    ]);
    for (const a of [...rz, ...ew]) expect(a.severity).toBeGreaterThan(2);
  });

  it('does not let a spike hide the next one (winsorised EWMA update)', () => {
    const xs = noise(5, 100);
    xs[40] = 300;
    xs[42] = 150; // +10 sigma, two windows after a huge spike
    const found = ewma(seriesOf(xs)).map((a) => a.windowStart);
    expect(found).toContain(seriesOf(xs)[42]!.start);
  });

  it('finds a level shift with CUSUM at the window it starts', () => {
    const xs = noise(21, 200).map((x, i) => (i >= 120 ? x + 15 : x)); // +3 sigma from window 120
    const w = seriesOf(xs);
    // Lesser shifts of noise may be reported, but only the planted one reaches alert severity.
    const found = cusum(w).filter((a) => a.severity >= DEFAULT_ALERT_MIN_SEVERITY);
    expect(found).toHaveLength(1);
    expect(found[0]!.kind).toBe('level-shift');
    expect(found[0]!.direction).toBe('up');
    const at = w.findIndex((x) => x.start === found[0]!.windowStart);
    expect(Math.abs(at - 120)).toBeLessThanOrEqual(2);
    // New level minus old level estimates the planted +15 within about two noise sigmas.
    expect(Math.abs(found[0]!.value - found[0]!.expected - 15)).toBeLessThan(10);
    expect(found[0]!.severity).toBeGreaterThan(DEFAULT_ALERT_MIN_SEVERITY);
  });

  it('finds a downward shift and a shift back', () => {
    const xs = noise(8, 300).map((x, i) => (i >= 100 && i < 200 ? x - 20 : x));
    const found = cusum(seriesOf(xs)).filter((a) => a.severity >= DEFAULT_ALERT_MIN_SEVERITY);
    expect(found.map((a) => a.direction)).toEqual(['down', 'up']);
  });

  it('does not report a single spike as a level shift', () => {
    const xs = noise(9, 200);
    xs[100] = 500;
    expect(cusum(seriesOf(xs))).toEqual([]);
  });

  it('flags nothing in a perfectly flat series and everything odd after it', () => {
    const flat = seriesOf(Array(50).fill(7));
    expect(detectAnomalies(flat)).toEqual([]);
    const blip = seriesOf([...Array(30).fill(7), 9, ...Array(19).fill(7)]);
    const found = detectAnomalies(blip);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((a) => a.windowStart))).toEqual(new Set([blip[30]!.start]));
  });

  it('raises nothing at or above the default alert severity on clean Gaussian noise', () => {
    for (let seed = 100; seed < 130; seed++) {
      for (const a of detectAnomalies(seriesOf(noise(seed, 500)))) {
        expect(a.severity).toBeLessThan(DEFAULT_ALERT_MIN_SEVERITY);
      }
    }
  });

  it('is invariant to shifting and scaling the series', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (seed, shift, scale) => {
          const xs = noise(seed, 80);
          xs[30] = 200;
          const base = detectAnomalies(seriesOf(xs));
          const moved = detectAnomalies(seriesOf(xs.map((x) => shift + scale * x)));
          expect(moved.map((a) => [a.windowStart, a.method, a.kind])).toEqual(
            base.map((a) => [a.windowStart, a.method, a.kind]),
          );
          moved.forEach((a, i) => expect(a.severity).toBeCloseTo(base[i]!.severity, 6));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('returns nothing for too-short series', () => {
    expect(detectAnomalies(seriesOf([1, 2, 100]))).toEqual([]);
  });
});
