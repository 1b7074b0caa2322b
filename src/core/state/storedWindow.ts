import { type Aggregate, type EncodedAggregate, summarize } from '../aggregates';
import { aggregatesFromStored, aggregatesToStored } from './storedAggregates';
import type { ClosedWindow, MeasureResult } from './types';

/**
 * A closed window as the Windows table stores it: each measure is its Aggregate only. The Summary (stddev, first,
 * last, p50/p90/p99) is a pure function of the Aggregate (`summarize`), so storing both duplicated it; it is derived
 * on read instead (closedWindowFromStored). docs/explanation/table-layout.md has the bytes per row before and after.
 */
export type StoredClosedWindow = Omit<ClosedWindow, 'measures' | 'aggregates'> & {
  measures: Record<string, Aggregate>;
  aggregates?: Record<string, EncodedAggregate>;
};

/**
 * A closed window as the Windows table holds it, one row per (stream, window start): the stream entity writes it
 * (storage's WindowRecord), `GET .../windows` serves it and the analysis reads it back (fromStoredWindow). `data` is
 * the compact StoredClosedWindow since summaries are derived on read; rows written before hold the full ClosedWindow
 * (each measure a Summary with its Aggregate). A row is JSON read back from a table, so readers that must survive
 * rows written by other means check what they use.
 */
export interface StoredWindow {
  /** Window start, epoch ms (>= 0). */
  start: number;
  /** Window end, epoch ms. */
  end: number;
  data: StoredClosedWindow | ClosedWindow;
}

/** What the entity writes for a closed window. */
export function toStoredWindow(w: ClosedWindow): StoredClosedWindow {
  const stored: StoredClosedWindow = {
    ...w,
    measures: Object.fromEntries(Object.entries(w.measures).map(([name, m]) => [name, m.aggregate])),
  } as StoredClosedWindow;
  if (w.aggregates !== undefined) stored.aggregates = aggregatesToStored(w.aggregates);
  return stored;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An Aggregate as stored (the fields summarize reads), told apart from a MeasureResult by its missing `aggregate`. */
function isStoredAggregate(m: Record<string, unknown>): boolean {
  return (
    !isObject(m['aggregate']) &&
    typeof m['count'] === 'number' &&
    typeof m['sum'] === 'number' &&
    typeof m['mean'] === 'number' &&
    typeof m['m2'] === 'number' &&
    typeof m['sketch'] === 'string'
  );
}

/**
 * Stored window data -> the ClosedWindow shape (every measure a Summary with its Aggregate beside it), for the API and
 * the analysis. Rows written before the compact shape (summary + aggregate) pass through unchanged, so old and new
 * rows read alike; anything else (not a window) is returned as it is.
 */
export function closedWindowFromStored(data: unknown): unknown {
  if (!isObject(data) || !isObject(data['measures'])) return data;
  const out: Record<string, unknown> = {
    ...data,
    measures: Object.fromEntries(Object.entries(data['measures']).map(([name, m]) => [name, measureFromStored(m)])),
  };
  if (isObject(data['aggregates'])) out['aggregates'] = aggregatesFromStored(data['aggregates']);
  return out;
}

/** One stored measure -> a MeasureResult (Summary + aggregate); an old row's MeasureResult, or anything else, as it is. */
export function measureFromStored(m: unknown): unknown {
  if (!isObject(m) || !isStoredAggregate(m)) return m;
  const aggregate = m as unknown as Aggregate;
  try {
    return { ...summarize(aggregate), aggregate } satisfies MeasureResult;
  } catch {
    // A sketch this code cannot decode (not written by the entity): the row is served as stored, never refused.
    return m;
  }
}
