import type { EncodedAggregate } from '../aggregates';
import { mergeAggregates, mergeEncoded } from '../aggregates';
import type { PartialWindow, StreamPartial } from './types';

/**
 * One partial for several consecutive batches of one partition and one (pipeline, stream): what ingest sends when it
 * coalesces (ENTITY_FLUSH_INTERVAL, docs/explanation/effectively-once.md#coalescing-entity_flush_interval). The range
 * is the group's `[firstSequence, lastSequence]` (the caller's: batches without this stream still belong to it), so the
 * entity's pending/commit rules apply to the group as to one batch. Counts add, windows merge by start, aggregates
 * merge; the latest batch's partition progress wins. Pure: the inputs are not changed.
 */
export function combinePartials(
  parts: readonly StreamPartial[],
  range: { firstSequence: number; lastSequence: number },
): StreamPartial {
  const first = parts[0];
  if (first === undefined) throw new RangeError('combinePartials: expected at least one partial, found none');
  for (const p of parts) {
    if (p.pipeline !== first.pipeline || p.stream !== first.stream || p.partition !== first.partition) {
      throw new RangeError(
        `combinePartials: expected partials of ${first.pipeline}/${first.stream} on partition ${first.partition}, found one of ${p.pipeline}/${p.stream} on ${p.partition}`,
      );
    }
    if (p.firstSequence < range.firstSequence || p.lastSequence > range.lastSequence) {
      throw new RangeError(
        `combinePartials: expected batches inside [${range.firstSequence}, ${range.lastSequence}], found [${p.firstSequence}, ${p.lastSequence}]`,
      );
    }
  }
  const windows = new Map<number, PartialWindow>();
  const totals: StreamPartial['totals'] = {};
  let aggregateTotals: Record<string, EncodedAggregate> | undefined;
  let latency = first.latency;
  for (const [i, p] of parts.entries()) {
    for (const w of p.windows) mergeWindowInto(windows, w);
    for (const [m, agg] of Object.entries(p.totals)) totals[m] = totals[m] ? mergeAggregates(totals[m], agg) : agg;
    if (p.aggregateTotals) aggregateTotals = mergeEncodedMaps(aggregateTotals, p.aggregateTotals);
    if (i > 0) latency = mergeAggregates(latency, p.latency);
  }
  const maxTimes = parts.map((p) => p.maxEventTime).filter((t): t is number => t !== null);
  const latest = parts.reduce((a, b) => (b.lastSequence >= a.lastSequence ? b : a));
  return {
    pipeline: first.pipeline,
    stream: first.stream,
    partition: first.partition,
    firstSequence: range.firstSequence,
    lastSequence: range.lastSequence,
    firstEventSequence: Math.min(...parts.map((p) => p.firstEventSequence)),
    lastEventSequence: Math.max(...parts.map((p) => p.lastEventSequence)),
    events: parts.reduce((n, p) => n + p.events, 0),
    late: parts.reduce((n, p) => n + p.late, 0),
    invalid: parts.reduce((n, p) => n + p.invalid, 0),
    windows: [...windows.values()].sort((a, b) => a.start - b.start),
    totals,
    maxEventTime: maxTimes.length > 0 ? Math.max(...maxTimes) : null,
    ...(latest.progress === undefined ? {} : { progress: latest.progress }),
    ...(latest.partitionCount === undefined ? {} : { partitionCount: latest.partitionCount }),
    ...(aggregateTotals === undefined ? {} : { aggregateTotals }),
    ...(first.session === undefined ? {} : { session: first.session }),
    ...combinedRevisions(parts),
    minEnqueuedTime: Math.min(...parts.map((p) => p.minEnqueuedTime)),
    maxEnqueuedTime: Math.max(...parts.map((p) => p.maxEnqueuedTime)),
    latency,
    processedAt: Math.max(...parts.map((p) => p.processedAt)),
  };
}

function mergeEncodedMaps(
  a: Record<string, EncodedAggregate> | undefined,
  b: Record<string, EncodedAggregate>,
): Record<string, EncodedAggregate> {
  const out = { ...a };
  for (const [name, agg] of Object.entries(b)) out[name] = out[name] ? mergeEncoded(out[name], agg) : agg;
  return out;
}

/** Late events within `corrections` of every part (window revisions): counts add, windows merge by start. */
function combinedRevisions(parts: readonly StreamPartial[]): Pick<StreamPartial, 'revisions'> {
  const withRevisions = parts.flatMap((p) => (p.revisions ? [p.revisions] : []));
  if (withRevisions.length === 0) return {};
  const windows = new Map<number, PartialWindow>();
  for (const r of withRevisions) {
    for (const w of r.windows) mergeWindowInto(windows, w);
  }
  return {
    revisions: {
      events: withRevisions.reduce((n, r) => n + r.events, 0),
      firstSequence: Math.min(...withRevisions.map((r) => r.firstSequence)),
      lastSequence: Math.max(...withRevisions.map((r) => r.lastSequence)),
      windows: [...windows.values()].sort((a, b) => a.start - b.start),
    },
  };
}

/** Adds one window into the windows by start: a first one is copied, a same-start one merged (counts add, aggregates merge). */
function mergeWindowInto(windows: Map<number, PartialWindow>, w: PartialWindow): void {
  const have = windows.get(w.start);
  if (!have) {
    windows.set(w.start, {
      ...w,
      measures: { ...w.measures },
      ...(w.aggregates ? { aggregates: { ...w.aggregates } } : {}),
    });
    return;
  }
  have.events += w.events;
  // Session fragments sharing a start overlap: their union ends at the later end (tumbling windows: equal ends).
  have.end = Math.max(have.end, w.end);
  for (const [m, agg] of Object.entries(w.measures))
    have.measures[m] = have.measures[m] ? mergeAggregates(have.measures[m], agg) : agg;
  if (w.aggregates) have.aggregates = mergeEncodedMaps(have.aggregates, w.aggregates);
}
