import {
  type Aggregate,
  type EncodedAggregate,
  mergeAggregates,
  mergeAll,
  summarize,
  summarizeEncoded,
} from '../aggregates';
import type { PartialWindow, StreamPartial } from '../batch';
import type { PipelineConfig } from '../pipelines';
import { foldWindow, mergeAggregateMaps, mergeMeasures } from './liveWindows';
import { aggregatesToStored } from './storedAggregates';
import type {
  CommitResult,
  FlushResult,
  MergeOutcome,
  MergeResult,
  PartitionProgress,
  RateSample,
  SequenceRange,
  StoredClosedWindow,
  StreamState,
  StreamView,
  WindowView,
} from './types';

const MAX_SAMPLES = 32;
const SAMPLE_HORIZON_MS = 5 * 60_000;
const RATE_WINDOW_MS = 60_000;
/** How long a partition may send nothing to a stream before it stops holding its windows, when idleTimeout is off. */
export const DEFAULT_PARTITION_IDLE_MS = 120_000;
/** A larger partition count in a partial is ignored (Event Hubs allows up to 1,024 on Dedicated). */
const MAX_HUB_PARTITIONS = 1024;

export function initialStreamState(): StreamState {
  return {
    version: 6,
    pipeline: null,
    stream: null,
    partitions: {},
    events: 0,
    late: 0,
    invalid: 0,
    lateAtEntity: 0,
    duplicates: 0,
    revisions: 0,
    conflicts: 0,
    totals: {},
    latency: null,
    windows: {},
    watermark: null,
    maxEventTime: null,
    closedThrough: null,
    firstSeen: null,
    lastSeen: null,
    samples: [],
  };
}

const newProgress = (): PartitionProgress => ({ committed: -1, pending: null, watermark: null, lastMergeAt: null });

/** Folds a partial into the committed part of the state (mutates `state`, which mergePartial has cloned). */
function commit(state: StreamState, p: StreamPartial, now: number): void {
  state.events += p.events;
  state.late += p.late;
  state.invalid += p.invalid;
  state.totals = mergeMeasures(state.totals, p.totals);
  const aggregateTotals = mergeAggregateMaps(state.aggregateTotals, p.aggregateTotals);
  if (aggregateTotals !== undefined) state.aggregateTotals = aggregateTotals;
  state.latency = state.latency ? mergeAggregates(state.latency, p.latency) : p.latency;
  // The partition's own progress; the stream watermark follows from all of them (advanceWatermark).
  const progress = (state.partitions[p.partition] ??= newProgress());
  if (p.maxEventTime !== null) state.maxEventTime = Math.max(state.maxEventTime ?? p.maxEventTime, p.maxEventTime);
  if (p.maxEventTime !== null) progress.watermark = Math.max(progress.watermark ?? p.maxEventTime, p.maxEventTime);
  for (const w of p.windows) {
    const { late, absorbed } = foldWindow(state.windows, w, state.closedThrough, p.session);
    if (late) state.lateAtEntity += w.events;
    if (absorbed.length > 0) (state.absorbed ??= []).push(...absorbed);
  }
  commitRevisions(state, p, now);
}

/**
 * The partial's late events within `corrections`: a window still live takes them as any events; a closed one gets a
 * revision (written by the entity adapter as its next version). Applied only here, when the partial commits, so a
 * redelivered batch (which replaces the pending partial) never makes a second revision.
 */
function commitRevisions(state: StreamState, p: StreamPartial, now: number): void {
  const r = p.revisions;
  if (r === undefined) return;
  for (const w of r.windows) {
    if (state.closedThrough === null || w.end > state.closedThrough) {
      foldWindow(state.windows, w, state.closedThrough, undefined);
      continue;
    }
    state.revisions++;
    (state.revisionsDue ??= []).push({
      start: w.start,
      end: w.end,
      window: w,
      partition: p.partition,
      firstSequence: r.firstSequence,
      lastSequence: r.lastSequence,
      at: now,
    });
  }
}

const results = (aggregates: Record<string, EncodedAggregate>) =>
  Object.fromEntries(Object.entries(aggregates).map(([name, e]) => [name, summarizeEncoded(e)]));

/** Sessions absorbed during this operation, as closedBy 'superseded' rows (they do not move closedThrough). */
function drainAbsorbed(state: StreamState, now: number): StoredClosedWindow[] {
  const absorbed = state.absorbed ?? [];
  delete state.absorbed;
  return absorbed.map((a) => ({ ...toClosed(state, a.window, now, 'superseded'), supersededBy: a.supersededBy }));
}

/**
 * The window as the entity emits it: the stored form (StoredClosedWindow), the same object the Windows row holds. No
 * summaries: they derive from the aggregates on read, so none is computed for a window nobody reads yet.
 */
function toClosed(
  state: StreamState,
  w: PartialWindow,
  now: number,
  closedBy: StoredClosedWindow['closedBy'],
): StoredClosedWindow {
  return {
    pipeline: state.pipeline ?? '',
    stream: state.stream ?? '',
    start: w.start,
    end: w.end,
    events: w.events,
    // The window leaves the state here, so its aggregates are handed on, not copied (windows are replaced, never modified).
    measures: w.measures,
    ...(w.aggregates === undefined ? {} : { aggregates: aggregatesToStored(w.aggregates) }),
    closedAt: now,
    version: 1,
    closedBy,
  };
}

/** The processing time after which a partition that sent nothing to the stream stops holding its windows. */
export function partitionIdleMs(config: Pick<PipelineConfig, 'idleTimeoutMs'>): number {
  const ms = config.idleTimeoutMs;
  return typeof ms === 'number' && ms > 0 ? ms : DEFAULT_PARTITION_IDLE_MS;
}

/**
 * The progress of each active partition: one whose latest news (its own latest partial for the stream, else the
 * latest report of it) is less than `idleMs` older than the newest news of any partition. Its progress: for the
 * stream, else (sent it nothing yet) as reported. All times come from the operations (ingest's clock), so this is a
 * function of what the entity received, never of when it runs.
 */
function activeWatermarks(state: StreamState, idleMs: number): (number | null)[] {
  const all = Object.values(state.partitions);
  const newsOf = (p: PartitionProgress): number | null => p.lastMergeAt ?? p.reported?.at ?? null;
  let newest = -Infinity;
  for (const p of all) {
    const news = newsOf(p);
    if (news !== null && news > newest) newest = news;
  }
  const out = all.flatMap((p) => {
    const news = newsOf(p);
    if (news === null || newest - news >= idleMs) return [];
    return [p.lastMergeAt !== null ? p.watermark : (p.reported?.watermark ?? null)];
  });
  // A partition of the hub never heard of (no partial, no report): its news is when the count was first known, its
  // progress unknown, so it holds the stream's windows until heard of or idle (the pumps of a host start unevenly).
  const hub = state.hubPartitions;
  if (hub !== undefined && newest - hub.since < idleMs) {
    for (let i = 0; i < hub.count; i++) if (state.partitions[String(i)] === undefined) return [...out, null];
  }
  return out;
}

/**
 * Stream watermark = max(itself, min over active partitions of their progress), as Flink's valve does per input
 * channel: a partition running ahead cannot close windows the others still fill, an idle one does not hold them, and
 * the watermark never moves back. An active partition that has committed nothing for the stream yet holds it.
 */
function advanceWatermark(state: StreamState, idleMs: number): void {
  let min: number | null = null;
  for (const w of activeWatermarks(state, idleMs)) {
    if (w === null) return;
    min = min === null ? w : Math.min(min, w);
  }
  if (min !== null) state.watermark = Math.max(state.watermark ?? min, min);
}

/** Live windows ahead of the stream watermark kept at most, as a multiple of `retention` (see evictBeyondRetention). */
export const HELD_WINDOWS_FACTOR = 10;

/**
 * The windows to evict (`closedBy: 'retention'`), oldest first, from `keys` (sorted, the live windows left open):
 * beyond `retention` among those the stream watermark has reached (open only for lateness), and beyond
 * HELD_WINDOWS_FACTOR x `retention` in all. Windows ahead of the watermark are open because a partition behind still
 * fills them (partitions drift apart in event time); evicting them at `retention` made that partition's events late
 * at the entity. How long a partition can hold them is bounded by the idle rule; how many, by the factor.
 */
function evictBeyondRetention(state: StreamState, keys: readonly string[], retention: number): string[] {
  const watermark = state.watermark;
  const reached =
    watermark === null ? 0 : keys.filter((k) => (state.windows[k] as PartialWindow).start <= watermark).length;
  // Windows are sorted by start, so the reached ones come first.
  const evict = Math.max(reached - retention, keys.length - HELD_WINDOWS_FACTOR * retention, 0);
  return keys.slice(0, evict);
}

/**
 * Closes committed windows whose end + allowed lateness the stream watermark has passed, unless a pending partial
 * still holds events for them (they close once that partial commits); then evicts the oldest beyond `retention`
 * (evictBeyondRetention).
 */
function closeWindows(state: StreamState, now: number, config: PipelineConfig): StoredClosedWindow[] {
  advanceWatermark(state, partitionIdleMs(config));
  // Windows close in order (closedThrough says every window ending by it is closed): none at or after the first
  // window a pending partial still holds, or that one's events would arrive after a later window closed.
  let firstHeld = Infinity;
  for (const progress of Object.values(state.partitions)) {
    for (const w of progress.pending?.windows ?? [])
      if (state.closedThrough === null || w.end > state.closedThrough) firstHeld = Math.min(firstHeld, w.start);
  }
  const closed: StoredClosedWindow[] = drainAbsorbed(state, now);
  const keys = Object.keys(state.windows).sort();
  const close = (key: string, by: StoredClosedWindow['closedBy']) => {
    const w = state.windows[key] as PartialWindow;
    closed.push(toClosed(state, w, now, by));
    delete state.windows[key];
    state.closedThrough = Math.max(state.closedThrough ?? w.end, w.end);
  };
  const remaining: string[] = [];
  for (const key of keys) {
    const w = state.windows[key] as PartialWindow;
    if (state.watermark !== null && state.watermark > w.end + config.allowedLatenessMs && w.start < firstHeld)
      close(key, 'watermark');
    else remaining.push(key);
  }
  for (const key of evictBeyondRetention(state, remaining, config.retention)) close(key, 'retention');
  return closed;
}

/**
 * A sample's latency keeps only what the view reads from it (recent p50/p99: count, min, max, sketch): the entity's
 * state is parsed and written whole on every operation and the samples were three quarters of it.
 */
const quantilesOnly = (a: Aggregate): Aggregate => ({ ...a, sum: 0, mean: 0, m2: 0, first: null, last: null });

function recordSample(state: StreamState, p: StreamPartial, now: number): void {
  const key = `${p.partition}:${p.firstSequence}`;
  const sample: RateSample = {
    key,
    at: now,
    events: p.events,
    minEnqueuedTime: p.minEnqueuedTime,
    maxEnqueuedTime: p.maxEnqueuedTime,
    latency: quantilesOnly(p.latency),
  };
  const kept = state.samples.filter((s) => s.key !== key && s.at >= now - SAMPLE_HORIZON_MS);
  kept.push(sample);
  state.samples = kept.slice(-MAX_SAMPLES);
}

/**
 * Applies one partial under at-least-once delivery so that the result counts each event once:
 * - lastSequence <= committed high-water mark of the partition, or a range starting inside committed data: ignored;
 * - same firstSequence as the pending partial: a redelivered batch, replaces it (its end may differ);
 * - firstSequence after the pending partial's lastSequence: the pending batch was checkpointed, so it is committed
 *   and the new partial becomes pending;
 * - firstSequence inside the pending range: a redelivery was cut shorter and this batch re-reads the rest; when all
 *   the pending partial's events lie at or after the new start the new partial supersedes it exactly, otherwise the
 *   overlap cannot be split and the pending partial is committed (counted in `conflicts`).
 * Pure: the input state is not modified.
 */
export function mergePartial(
  input: StreamState,
  partial: StreamPartial,
  now: number,
  config: PipelineConfig,
): MergeResult {
  return mergePartialInPlace(structuredClone(input), partial, now, config);
}

/**
 * mergePartial that updates `state` itself and returns it in the result: for a caller that owns a fresh copy (the
 * entity parses its state from JSON on every operation), so the deep clone of the whole state is not paid twice.
 */
export function mergePartialInPlace(
  state: StreamState,
  partial: StreamPartial,
  now: number,
  config: PipelineConfig,
): MergeResult {
  state.pipeline ??= partial.pipeline;
  state.stream ??= partial.stream;
  state.firstSeen ??= now;
  state.lastSeen = now;
  const progress = (state.partitions[partial.partition] ??= newProgress());
  const pending = progress.pending;
  let outcome: MergeOutcome;

  if (partial.lastSequence <= progress.committed || partial.firstSequence <= progress.committed) {
    // Normally a duplicate. A partial that also holds this stream's events after the committed mark cannot be split:
    // only a redelivery longer than a batch the idle flush committed does that. Count it so the loss is visible.
    if (partial.lastEventSequence > progress.committed) state.conflicts++;
    else state.duplicates++;
    return { state, closedWindows: [], outcome: 'ignored' };
  }
  if (pending === null) {
    outcome = 'pending';
  } else if (partial.firstSequence === pending.firstSequence) {
    outcome = 'replaced';
  } else if (partial.firstSequence > pending.lastSequence) {
    commit(state, pending, now);
    progress.committed = pending.lastSequence;
    outcome = 'committed-previous';
  } else if (partial.firstSequence > pending.firstSequence) {
    if (pending.firstEventSequence >= partial.firstSequence) {
      outcome = 'replaced';
    } else {
      commit(state, pending, now);
      progress.committed = partial.firstSequence - 1;
      state.conflicts++;
      outcome = 'conflict';
    }
  } else {
    // Starts before the pending batch but after the committed mark: an out-of-order stale delivery.
    state.duplicates++;
    return { state, closedWindows: [], outcome: 'ignored' };
  }
  progress.pending = partial;
  const at = Number.isFinite(partial.processedAt) ? partial.processedAt : now;
  const count = partial.partitionCount;
  if (
    typeof count === 'number' &&
    Number.isInteger(count) &&
    count > 0 &&
    count <= MAX_HUB_PARTITIONS &&
    state.hubPartitions?.count !== count
  ) {
    state.hubPartitions = { count, since: at };
  }
  progress.lastMergeAt = Math.max(progress.lastMergeAt ?? at, at);
  delete progress.reported;
  // Partitions that sent this stream nothing yet, as the sending process knows them (it sent their own partials
  // first): they hold the stream's windows until they pass them, so their first events for it are not late here.
  for (const [other, report] of Object.entries(partial.progress ?? {})) {
    if (other === partial.partition || !Number.isFinite(report?.watermark) || !Number.isFinite(report?.at)) continue;
    const known = (state.partitions[other] ??= newProgress());
    if (known.lastMergeAt !== null) continue;
    known.reported = {
      watermark: Math.max(known.reported?.watermark ?? report.watermark, report.watermark),
      at: Math.max(known.reported?.at ?? report.at, report.at),
    };
  }
  recordSample(state, partial, now);
  if (partial.final === true) {
    // A coalesced group whose batches are all checkpointed: nothing can replace it, so it is committed at once.
    commit(state, partial, now);
    progress.committed = partial.lastSequence;
    progress.pending = null;
  }
  return { state, closedWindows: closeWindows(state, now, config), outcome };
}

/**
 * Commits the partition's pending partial once ingest knows the batch `checkpointed` can never be redelivered: the
 * trigger delivered a later batch of the partition, and with batchCheckpointFrequency 1 that means `checkpointed` was
 * checkpointed. Only a pending partial of exactly that range is committed. Any other pending partial stays pending: a
 * newer batch (the commit arrived late), or an older one, which may be a delivery cut short by a crash whose replay
 * is still on its way (the commit arrived early) - so the operation is safe in any order against merges.
 * Pure: the input state is not modified.
 */
export function commitThrough(
  input: StreamState,
  partition: string,
  checkpointed: SequenceRange,
  now: number,
  config: PipelineConfig,
): CommitResult {
  const covered = input.partitions[partition]?.pending;
  if (
    !covered ||
    covered.firstSequence !== checkpointed.firstSequence ||
    covered.lastSequence !== checkpointed.lastSequence
  ) {
    return commitThroughInPlace(input, partition, checkpointed, now, config);
  }
  return commitThroughInPlace(structuredClone(input), partition, checkpointed, now, config);
}

/** commitThrough that updates `state` itself (see mergePartialInPlace). */
export function commitThroughInPlace(
  state: StreamState,
  partition: string,
  checkpointed: SequenceRange,
  now: number,
  config: PipelineConfig,
): CommitResult {
  const pending = state.partitions[partition]?.pending ?? null;
  if (pending === null) return { state, closedWindows: [], outcome: 'nothing-pending' };
  if (pending.firstSequence !== checkpointed.firstSequence || pending.lastSequence !== checkpointed.lastSequence) {
    return { state, closedWindows: [], outcome: 'not-covered' };
  }
  const progress = state.partitions[partition] as PartitionProgress;
  commit(state, pending, now);
  progress.committed = pending.lastSequence;
  progress.pending = null;
  return { state, closedWindows: closeWindows(state, now, config), outcome: 'committed' };
}

/**
 * The idle flush: when the stream has had no events for `idleTimeoutMs` of processing time (`lastSeen`, set by merges),
 * commits every pending partial and closes every live window (`closedBy: 'idle'`). Later events for those windows are
 * counted as `lateAtEntity`; later windows open as usual. `now` comes from the caller (the timer), so this stays pure.
 */
export function flushIdle(input: StreamState, now: number, idleTimeoutMs: number): FlushResult {
  if (!(idleTimeoutMs > 0)) return { state: input, closedWindows: [], outcome: 'disabled' };
  if (input.lastSeen !== null && now - input.lastSeen < idleTimeoutMs)
    return { state: input, closedWindows: [], outcome: 'active' };
  if (pendingPartials(input).length === 0 && Object.keys(input.windows).length === 0)
    return { state: input, closedWindows: [], outcome: 'nothing-open' };
  const state = structuredClone(input);
  for (const progress of Object.values(state.partitions)) {
    if (progress.pending === null) continue;
    commit(state, progress.pending, now);
    progress.committed = Math.max(progress.committed, progress.pending.lastSequence);
    progress.pending = null;
  }
  advanceWatermark(state, idleTimeoutMs);
  const closed: StoredClosedWindow[] = drainAbsorbed(state, now);
  for (const key of Object.keys(state.windows).sort()) {
    const w = state.windows[key] as PartialWindow;
    closed.push(toClosed(state, w, now, 'idle'));
    delete state.windows[key];
    state.closedThrough = Math.max(state.closedThrough ?? w.end, w.end);
  }
  return { state, closedWindows: closed, outcome: 'flushed' };
}

/** Live windows of the read model (committed and pending), without building the view. */
export function liveWindowCount(state: StreamState): number {
  // By start (windows are keyed by windowKey(start)), without formatting a key per pending window on every operation.
  const starts = new Set<number>();
  for (const w of Object.values(state.windows)) starts.add(Math.trunc(w.start));
  for (const p of pendingPartials(state)) {
    for (const w of p.windows)
      if (state.closedThrough === null || w.end > state.closedThrough) starts.add(Math.trunc(w.start));
  }
  return starts.size;
}

/** liveWindowCount(state) > 0, without counting: the idle index asks it on every operation. */
export function hasLiveWindow(state: StreamState): boolean {
  for (const key in state.windows) if (Object.hasOwn(state.windows, key)) return true;
  for (const progress of Object.values(state.partitions))
    for (const w of progress.pending?.windows ?? [])
      if (state.closedThrough === null || w.end > state.closedThrough) return true;
  return false;
}

function pendingPartials(state: StreamState): StreamPartial[] {
  return Object.values(state.partitions).flatMap((p) => (p.pending ? [p.pending] : []));
}

function recentRates(samples: readonly RateSample[]) {
  const latest = samples.reduce((m, s) => Math.max(m, s.at), -Infinity);
  const recent = samples.filter((s) => s.at >= latest - RATE_WINDOW_MS);
  const recentEvents = recent.reduce((n, s) => n + s.events, 0);
  const enqueuedSpan = recent.length
    ? Math.max(...recent.map((s) => s.maxEnqueuedTime)) - Math.min(...recent.map((s) => s.minEnqueuedTime))
    : 0;
  const wallSpan = recent.length ? latest - Math.min(...recent.map((s) => s.at)) : 0;
  // Spans shorter than a second are rounded up to one so a single batch does not report an absurd rate.
  const perSecond = (n: number, spanMs: number) => (recent.length ? n / Math.max(1, spanMs / 1000) : 0);
  return { recent, recentEvents, enqueuedSpan, wallSpan, perSecond };
}

/** The latest event time aggregated from any partition, committed or pending (the catalog's `lastSeen`). */
function maxEventTimeOf(state: StreamState): number | null {
  let max = state.maxEventTime;
  for (const p of pendingPartials(state))
    if (p.maxEventTime !== null) max = Math.max(max ?? p.maxEventTime, p.maxEventTime);
  return max;
}

/**
 * The figures of the Streams catalog row, equal to streamView's `events`, `maxEventTime` and `metrics.eventsPerSec`
 * without its sketch work (the view decodes and summarizes every sketch; the entity needs these on every operation).
 */
export function catalogFigures(state: StreamState): {
  events: number;
  maxEventTime: number | null;
  eventsPerSec: number;
} {
  let events = state.events;
  for (const p of pendingPartials(state)) events += p.events;
  const { recentEvents, enqueuedSpan, perSecond } = recentRates(state.samples);
  return { events, maxEventTime: maxEventTimeOf(state), eventsPerSec: perSecond(recentEvents, enqueuedSpan) };
}

/** Read model: committed state with pending partials merged on the fly. */
export function streamView(state: StreamState): StreamView {
  const pending = pendingPartials(state);
  let totals = state.totals;
  let aggregateTotals = state.aggregateTotals;
  let latency = state.latency;
  const windows: Record<string, PartialWindow> = { ...state.windows };
  let events = state.events;
  let late = state.late;
  let invalid = state.invalid;
  let lateAtEntity = state.lateAtEntity;
  for (const p of pending) {
    events += p.events;
    late += p.late;
    invalid += p.invalid;
    totals = mergeMeasures(totals, p.totals);
    aggregateTotals = mergeAggregateMaps(aggregateTotals, p.aggregateTotals);
    latency = latency ? mergeAggregates(latency, p.latency) : p.latency;
    for (const w of p.windows)
      if (foldWindow(windows, w, state.closedThrough, p.session).late) lateAtEntity += w.events;
  }

  const { recent, recentEvents, enqueuedSpan, wallSpan, perSecond } = recentRates(state.samples);
  const recentLatency = recent.length
    ? summarize(
        mergeAll(
          recent.map((s) => s.latency),
          recent[0]?.latency.accuracy,
        ),
      )
    : latency
      ? summarize(latency)
      : null;

  const windowViews: WindowView[] = Object.keys(windows)
    .sort()
    .reverse()
    .map((key) => {
      const w = windows[key] as PartialWindow;
      const view: WindowView = {
        start: w.start,
        end: w.end,
        events: w.events,
        measures: Object.fromEntries(Object.entries(w.measures).map(([n, a]) => [n, summarize(a)])),
      };
      if (w.aggregates !== undefined) view.aggregates = results(w.aggregates);
      return view;
    });

  return {
    pipeline: state.pipeline,
    stream: state.stream,
    events,
    totals: Object.fromEntries(Object.entries(totals).map(([n, a]) => [n, summarize(a)])),
    ...(aggregateTotals === undefined ? {} : { aggregateTotals: results(aggregateTotals) }),
    windows: windowViews,
    watermark: state.watermark,
    maxEventTime: maxEventTimeOf(state),
    closedThrough: state.closedThrough,
    metrics: {
      eventsPerSec: perSecond(recentEvents, enqueuedSpan),
      processingRate: perSecond(recentEvents, wallSpan),
      latencyP50: recentLatency?.p50 ?? null,
      latencyP99: recentLatency?.p99 ?? null,
      late,
      invalid,
      lateAtEntity,
      duplicates: state.duplicates,
      redeliveries: state.redeliveries ?? 0,
      revisions: state.revisions,
      conflicts: state.conflicts,
      unsavedWindows: state.unsaved?.length ?? 0,
      unsavedDropped: state.unsavedDropped ?? 0,
      quarantined: state.quarantined ?? 0,
      firstSeen: state.firstSeen === null ? null : new Date(state.firstSeen).toISOString(),
      lastSeen: state.lastSeen === null ? null : new Date(state.lastSeen).toISOString(),
    },
    partitions: Object.entries(state.partitions).map(([partition, p]) => ({
      partition,
      committed: p.committed,
      pending: p.pending ? { firstSequence: p.pending.firstSequence, lastSequence: p.pending.lastSequence } : null,
      watermark: p.watermark,
      lastMergeAt: p.lastMergeAt,
    })),
  };
}
