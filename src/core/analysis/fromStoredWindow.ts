import { measureFromStored } from '../state/storedWindow';
import type { WindowPoint } from './types';

/** A closed window as the Windows table returns it (epoch ms bounds, opaque data). */
export interface StoredWindow {
  start: number;
  end: number;
  data: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Measure names of a stored window (`data.measures` keys), sorted so "the first" is stable. */
export function measuresOf(data: unknown): string[] {
  return isObject(data) && isObject(data.measures) ? Object.keys(data.measures).sort() : [];
}

/**
 * One measure of a stored window as a WindowPoint, or null when the window does not carry
 * that measure with events. Accepts the core's two shapes of a measure: an Aggregate
 * (count, sum, mean, m2, min, max, sketch) and a Summary (count, mean, sample stddev,
 * min, max, p50, p90, p99). The analysis wants the population stddev, so a sample one is
 * rescaled by sqrt((n - 1) / n).
 */
export function fromStoredWindow(w: StoredWindow, measure: string): WindowPoint | null {
  // New rows store the Aggregate alone; its Summary (p50/p90/p99) is derived here (core/state/storedWindow.ts).
  const m = measureFromStored(isObject(w.data) && isObject(w.data.measures) ? w.data.measures[measure] : undefined);
  if (!isObject(m)) return null;
  const count = num(m.count);
  const mean = num(m.mean);
  const min = num(m.min);
  const max = num(m.max);
  if (count === undefined || count <= 0 || mean === undefined || min === undefined || max === undefined) return null;
  // The entity stores a MeasureResult: a Summary with the raw Aggregate beside it.
  const agg = isObject(m.aggregate) ? m.aggregate : m;
  const m2 = num(agg.m2);
  const sample = num(m.stddev);
  const stddev = m2 !== undefined ? Math.sqrt(Math.max(0, m2) / count) : sample !== undefined ? sample * Math.sqrt((count - 1) / count) : 0;
  const point: WindowPoint = {
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
    count,
    mean,
    stddev,
    min,
    max,
  };
  const sum = num(m.sum);
  if (sum !== undefined) point.sum = sum;
  for (const q of ['p50', 'p90', 'p99'] as const) {
    const v = num(m[q]);
    if (v !== undefined) point[q] = v;
  }
  if (typeof agg.sketch === 'string' && agg.sketch.length > 0) point.sketch = agg.sketch;
  return point;
}
