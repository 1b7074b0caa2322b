import { type Aggregate, summarize } from '../aggregates';
import { aggregatesFromStored, aggregatesToStored } from './storedAggregates';
import type { ClosedWindow, MeasureResult, StoredClosedWindow } from './types';

export type { StoredClosedWindow } from './types';

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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A measure in the form with summaries: a Summary with its Aggregate beside it. */
const isMeasureResult = (m: Aggregate | MeasureResult): m is MeasureResult =>
  isObject((m as { aggregate?: unknown }).aggregate);

/** An aggregate of the pipeline's in the stored form: its kind and encoding, nothing derived beside them. */
const isEncodedOnly = (a: object): boolean => Object.keys(a).length === 2 && 'kind' in a && 'data' in a;

/** Whether a closed window is in the stored form: no measure with a summary, no aggregate with its result. */
function isStoredForm(w: ClosedWindow | StoredClosedWindow): w is StoredClosedWindow {
  return (
    !Object.values(w.measures as Record<string, Aggregate | MeasureResult>).some(isMeasureResult) &&
    Object.values(w.aggregates ?? {}).every(isEncodedOnly)
  );
}

/**
 * What the entity writes for a closed window: the stored form as it is (what the entity emits), or one with summaries
 * without them (a window kept unsaved in the state, a row read back for a revision).
 */
export function toStoredWindow(w: ClosedWindow | StoredClosedWindow): StoredClosedWindow {
  if (isStoredForm(w)) return w;
  return {
    ...w,
    measures: Object.fromEntries(
      Object.entries(w.measures as Record<string, Aggregate | MeasureResult>).map(([name, m]) => [
        name,
        isMeasureResult(m) ? m.aggregate : m,
      ]),
    ),
    ...(w.aggregates === undefined ? {} : { aggregates: aggregatesToStored(w.aggregates) }),
  };
}

/**
 * The form with summaries (as `closedWindowFromStored` reads a row), for the windows a stream state keeps unsaved:
 * the state stores that form, which every version-5 entity reads. A window already in it is returned as it is, so
 * windows held over several operations (WINDOW_WRITE_DELAY) are summarized once.
 */
export function withSummaries(w: ClosedWindow | StoredClosedWindow): ClosedWindow {
  return isStoredForm(w) ? (closedWindowFromStored(w) as ClosedWindow) : w;
}

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
