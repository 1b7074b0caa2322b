import { type Aggregate, type EncodedAggregate, mergeAggregates, mergeEncoded } from '../aggregates';
import type { PartialWindow } from '../batch';
import { mergeSessionInto, type SessionSpec, windowKey } from '../windows';

/** Name-wise merge of two results maps (measures, or encoded aggregates). */
export function mergeByName<T>(
  a: Record<string, T>,
  b: Record<string, T>,
  merge: (x: T, y: T) => T,
): Record<string, T> {
  const out = { ...a };
  for (const [name, v] of Object.entries(b)) out[name] = out[name] === undefined ? v : merge(out[name], v);
  return out;
}

export const mergeMeasures = (a: Record<string, Aggregate>, b: Record<string, Aggregate>): Record<string, Aggregate> =>
  mergeByName(a, b, mergeAggregates);

export function mergeAggregateMaps(
  a: Record<string, EncodedAggregate> | undefined,
  b: Record<string, EncodedAggregate> | undefined,
): Record<string, EncodedAggregate> | undefined {
  if (b === undefined) return a;
  if (a === undefined) return b;
  return mergeByName(a, b, mergeEncoded);
}

export function mergeWindow(a: PartialWindow, b: PartialWindow): PartialWindow {
  const merged: PartialWindow = {
    start: a.start,
    end: a.end,
    events: a.events + b.events,
    measures: mergeMeasures(a.measures, b.measures),
  };
  const aggregates = mergeAggregateMaps(a.aggregates, b.aggregates);
  if (aggregates !== undefined) merged.aggregates = aggregates;
  return merged;
}

/** A live session absorbed by a merge (docs/explanation/windows-and-lateness.md): emitted as closedBy 'superseded'. */
export interface Absorbed {
  window: PartialWindow;
  supersededBy: number;
}

/**
 * Folds one window of a partial into the live windows by windowKey(start) (mutates `windows`). Tumbling and hopping:
 * merged with the live window of its start, or late when a window ending by `closedThrough` is closed already.
 * Sessions (`session` given): merged with every live session it is one with, keeping the earliest start; late when it
 * starts before `closedThrough` (it would join or precede a closed session).
 */
export function foldWindow(
  windows: Record<string, PartialWindow>,
  w: PartialWindow,
  closedThrough: number | null,
  session: SessionSpec | undefined,
): { late: boolean; absorbed: Absorbed[] } {
  if (session === undefined) {
    const key = windowKey(w.start);
    const live = windows[key];
    if (live) windows[key] = mergeWindow(live, w);
    else if (closedThrough !== null && w.end <= closedThrough) return { late: true, absorbed: [] };
    else windows[key] = w;
    return { late: false, absorbed: [] };
  }
  if (closedThrough !== null && w.start < closedThrough) return { late: true, absorbed: [] };
  const live = new Map<number, PartialWindow>(Object.values(windows).map((x) => [x.start, x]));
  const { keeper, absorbed } = mergeSessionInto(live, w, session, mergeWindow);
  for (const a of absorbed) delete windows[windowKey(a.session.start)];
  windows[windowKey(keeper.start)] = keeper;
  return { late: false, absorbed: absorbed.map((a) => ({ window: a.session, supersededBy: a.supersededBy })) };
}
