import type { Aggregate, Summary } from '../aggregates/aggregate';
import { measureFromStored, type StoredWindow } from '../state/storedWindow';
import type { MeasureResult } from '../state/types';
import { aggregatePoint } from './aggregateSeries';
import type { WindowPoint } from './types';

export type { StoredWindow } from '../state/storedWindow';

/**
 * A measure of a stored window. The entity writes a MeasureResult (a Summary with its Aggregate beside it), and every
 * row it has written has that shape; a bare Aggregate or Summary (rows written by other means) is read too.
 */
type StoredMeasure = MeasureResult | Summary | Aggregate;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Rows are JSON from a table: a number is used only when it is one. */
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The measure of a stored window, or undefined when the row does not carry it (or carries no measures at all). New
 * rows store the Aggregate alone; its Summary (p50/p90/p99) is derived here (core/state/storedWindow.ts).
 */
function storedMeasure(data: StoredWindow['data'], measure: string): StoredMeasure | undefined {
  const m = measureFromStored(
    isObject(data) && isObject(data.measures) ? (data.measures as Record<string, unknown>)[measure] : undefined,
  );
  return isObject(m) ? (m as unknown as StoredMeasure) : undefined;
}

/** Measure names of a stored window (`data.measures` keys), sorted so "the first" is stable. */
export function measuresOf(data: StoredWindow['data'] | undefined): string[] {
  return isObject(data) && isObject(data.measures) ? Object.keys(data.measures).sort() : [];
}

/**
 * One measure of a stored window as a WindowPoint, or null when the window does not carry
 * that measure with events. The analysis wants the population stddev: from the Aggregate's m2 when the row has it,
 * otherwise from a Summary's sample stddev rescaled by sqrt((n - 1) / n).
 */
export function fromStoredWindow(w: StoredWindow, measure: string): WindowPoint | null {
  // A session absorbed into an earlier one: its events are in that one's row.
  if (isObject(w.data) && w.data['closedBy'] === 'superseded') return null;
  const m = storedMeasure(w.data, measure);
  if (!m)
    return (
      aggregatePoint(w.data, measure, { start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() }) ??
      null
    );
  const count = num(m.count);
  const mean = num(m.mean);
  const min = num(m.min);
  const max = num(m.max);
  if (count === undefined || count <= 0 || mean === undefined || min === undefined || max === undefined) return null;
  const agg: Partial<Pick<Aggregate, 'm2' | 'sketch'>> =
    'aggregate' in m && isObject(m.aggregate) ? m.aggregate : 'm2' in m ? m : {};
  const m2 = num(agg.m2);
  const sample = 'stddev' in m ? num(m.stddev) : undefined;
  const stddev =
    m2 !== undefined
      ? Math.sqrt(Math.max(0, m2) / count)
      : sample !== undefined
        ? sample * Math.sqrt((count - 1) / count)
        : 0;
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
  if ('p50' in m) {
    for (const q of ['p50', 'p90', 'p99'] as const) {
      const v = num(m[q]);
      if (v !== undefined) point[q] = v;
    }
  }
  if (typeof agg.sketch === 'string' && agg.sketch.length > 0) point.sketch = agg.sketch;
  return point;
}
