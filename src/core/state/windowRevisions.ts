import { mergeAggregates, mergeEncoded, summarize, summarizeEncoded } from '../aggregates';
import type { ClosedWindow, MeasureResult, RevisionDelta, WindowRevision } from './types';

/** Whether `latest` (the stored latest version of the window) was written by this revision already. */
export function revisionWritten(latest: ClosedWindow, r: WindowRevision): boolean {
  const d = latest.revision;
  return (
    d !== undefined &&
    d.partition === r.partition &&
    d.firstSequence === r.firstSequence &&
    d.lastSequence === r.lastSequence
  );
}

/**
 * The next version of a closed window: `latest` (its stored latest version, read as a ClosedWindow) with the revision's
 * late events merged in, and the delta (events and each measure before -> after) with the sequence range that caused
 * it. null when `latest` already is this revision's version (the write was done and the entity redid the operation),
 * so a revision is written once. Pure.
 */
export function reviseClosedWindow(latest: ClosedWindow, r: WindowRevision, now: number): ClosedWindow | null {
  if (revisionWritten(latest, r)) return null;
  const measures: Record<string, MeasureResult> = { ...latest.measures };
  const deltaMeasures: RevisionDelta['measures'] = {};
  for (const [name, agg] of Object.entries(r.window.measures)) {
    const before = latest.measures[name];
    const aggregate = before === undefined ? agg : mergeAggregates(before.aggregate, agg);
    const after = summarize(aggregate);
    measures[name] = { ...after, aggregate };
    deltaMeasures[name] = { before: before === undefined ? null : withoutAggregate(before), after };
  }
  const next: ClosedWindow = {
    ...latest,
    events: latest.events + r.window.events,
    measures,
    closedAt: now,
    version: (latest.version ?? 1) + 1,
    revision: {
      events: { before: latest.events, after: latest.events + r.window.events },
      measures: deltaMeasures,
      partition: r.partition,
      firstSequence: r.firstSequence,
      lastSequence: r.lastSequence,
    },
  };
  if (r.window.aggregates !== undefined) {
    const aggregates = { ...latest.aggregates };
    for (const [name, e] of Object.entries(r.window.aggregates)) {
      const before = aggregates[name];
      const merged = before === undefined ? e : mergeEncoded({ kind: before.kind, data: before.data }, e);
      aggregates[name] = { ...summarizeEncoded(merged), data: merged.data };
    }
    next.aggregates = aggregates;
  }
  return next;
}

function withoutAggregate(m: MeasureResult): Omit<MeasureResult, 'aggregate'> {
  const { aggregate: _aggregate, ...summary } = m;
  return summary;
}
