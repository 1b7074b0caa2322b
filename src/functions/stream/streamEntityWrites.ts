import type { EntityContext } from 'durable-functions';

import {
  catalogFigures,
  type ClosedWindow,
  closedWindowFromStored,
  DEFAULT_IDLE_TIMEOUT_MS,
  flushDueOf,
  liveWindowCount,
  planCatalogWrite,
  planIndexWrite,
  planWindowWrite,
  reviseClosedWindow,
  type StoredClosedWindow,
  type StreamState,
  toStoredWindow,
  type WindowRevision,
  withSummaries,
  type WriteOp,
} from '../../core';
import type { DeadLetterRecord, Stores, StreamCatalogEntry } from '../../storage';
import { classifyError, errorMessage } from '../shared/storageFaults';
import { entityMetricsInput } from './entityMetrics';
import { splitStreamKey } from './streamContract';

/**
 * The stream entity's writes besides its own state: the closed windows (with their retry and dead-letter rules), the
 * Streams catalog row and the idle-index row, each when core's write plan says so.
 */
/** The catalog row of a stream: its exact live total (committed + pending) and recent arrival rate. */
export function catalogEntry(pipeline: string, stream: string, state: StreamState, now: number): StreamCatalogEntry {
  const figures = catalogFigures(state);
  return {
    pipeline,
    stream,
    lastSeen: new Date(figures.maxEventTime ?? now).toISOString(),
    events: figures.events,
    eventsPerSec: figures.eventsPerSec,
  };
}

/**
 * The stores the entity writes: closed windows, its catalog row, its idle-index row, (windows it cannot save) dead
 * letters and, when given, the ingest metrics (suppressed duplicates, revisions) and the window version history.
 */
export type StreamEntityStores = Pick<Stores, 'windows' | 'streams' | 'deadLetters' | 'activity'> &
  Partial<Pick<Stores, 'ingestMetrics' | 'windowVersions'>>;

/** Closed windows kept for a retry at most; beyond it the oldest are dead-lettered as 'storage' with their data. */
export const MAX_UNSAVED_WINDOWS = 64;

/** A closed window the Windows table would not take, as a dead letter carrying its data (the row it would have been). */
export function windowDeadLetter(
  w: ClosedWindow | StoredClosedWindow,
  error: string,
  recordedAt: number,
): DeadLetterRecord {
  return {
    raw: JSON.stringify(toStoredWindow(w)),
    reason: 'storage',
    detail: `closed window [${new Date(w.start).toISOString()}, ${new Date(w.end).toISOString()}) of ${w.events} event(s) could not be saved to the Windows table: ${error}`,
    partition: 'window',
    sequenceNumber: Math.max(0, w.start),
    enqueuedTime: new Date(w.closedAt).toISOString(),
    recordedAt: new Date(recordedAt).toISOString(),
    pipeline: w.pipeline,
    stream: w.stream,
  };
}

/** Names the pipeline version that closed each window (docs/explanation/pipeline-versions.md); none known: unchanged. */
export function stampPipelineVersion(windows: { pipelineVersion?: number }[], version: number | undefined): void {
  if (version === undefined) return;
  for (const w of windows) w.pipelineVersion ??= version;
}

/** The entity's write steps over the given stores and clock; `refreshMs` paces the catalog and index rows. */
export function createStreamWrites(stores: () => StreamEntityStores, now: () => number, refreshMs: number) {
  const warn = (context: EntityContext<StreamState>, what: string, e: unknown) =>
    context.warn(
      `stream entity ${context.df.entityKey}: ${what} failed: ${e instanceof Error ? e.message : String(e)}`,
    );

  /**
   * Upserts closed windows (and earlier failed ones). On a transient failure keeps them in state for the next operation
   * (any kind, and the idle timer's flush: see flushDueOf), at most MAX_UNSAVED_WINDOWS: the oldest beyond are
   * dead-lettered as 'storage' with their data and counted in `unsavedDropped`. A window the table rejects permanently
   * (a 4xx) is dead-lettered at once. A dead-letter write that fails keeps its windows unsaved until it works.
   */
  const saveClosed = async (
    context: EntityContext<StreamState>,
    state: StreamState,
    closed: StoredClosedWindow[],
    hold?: { op: WriteOp; at: number; delayMs: number },
  ): Promise<boolean> => {
    const toSave: (ClosedWindow | StoredClosedWindow)[] = [...(state.unsaved ?? []), ...closed];
    // The state keeps unsaved windows in the form with summaries, which every version-5 entity reads (core withSummaries).
    const keep = (ws: (ClosedWindow | StoredClosedWindow)[]): ClosedWindow[] => ws.map(withSummaries);
    if (toSave.length === 0) return true;
    // WINDOW_WRITE_DELAY: held in state (core planWindowWrite), so several operations' windows share one transaction.
    const plan = hold
      ? planWindowWrite({
          ...hold,
          now: hold.at,
          waiting: toSave.length,
          heldDue: state.unsavedDue,
          retrying: (state.unsaved?.length ?? 0) > 0 && state.unsavedDue === undefined,
        })
      : ({ write: true } as const);
    if (!plan.write) {
      state.unsaved = keep(toSave);
      state.unsavedDue = plan.due;
      return true;
    }
    delete state.unsavedDue;
    const key = context.df.entityKey;
    // Stored without the summaries, which are derived on read (core closedWindowFromStored).
    const upsert = (ws: (ClosedWindow | StoredClosedWindow)[]) =>
      stores().windows.upsert(
        key,
        ws.map((w) => ({ start: w.start, end: w.end, data: toStoredWindow(w) })),
      );
    let unsaved: (ClosedWindow | StoredClosedWindow)[] = [];
    const rejected: { window: ClosedWindow | StoredClosedWindow; error: string }[] = [];
    try {
      // Idempotent upsert keyed by window start, so re-running this operation after a crash is harmless.
      await upsert(toSave);
      // No history row here: version 1 is written lazily by the first revision (saveRevisions), so a window that is
      // never revised costs no WindowVersions request (windows-and-lateness.md, "Window revisions").
    } catch (e) {
      if (classifyError(e) === 'transient') unsaved = toSave;
      else {
        // One window the table refuses must not keep the others out: save them one by one.
        for (const w of toSave) {
          try {
            await upsert([w]);
          } catch (e2) {
            if (classifyError(e2) === 'transient') unsaved.push(w);
            else rejected.push({ window: w, error: errorMessage(e2) });
          }
        }
      }
      context.error(
        `stream entity ${key}: saving ${toSave.length} closed window(s) failed (${unsaved.length} kept for a retry, ${rejected.length} rejected): ${errorMessage(e)}`,
      );
    }
    const overflow = unsaved.length - MAX_UNSAVED_WINDOWS;
    const dropped =
      overflow > 0
        ? unsaved.slice(0, overflow).map((w) => ({
            window: w,
            error: `more than ${MAX_UNSAVED_WINDOWS} closed windows were waiting for a retry`,
          }))
        : [];
    const dead = [...rejected, ...dropped];
    if (dead.length > 0) {
      try {
        await stores().deadLetters.add(dead.map((d) => windowDeadLetter(d.window, d.error, now())));
        if (dropped.length > 0) unsaved = unsaved.slice(overflow);
        state.unsavedDropped = (state.unsavedDropped ?? 0) + dead.length;
        context.error(`stream entity ${key}: dead-lettered ${dead.length} closed window(s) as 'storage'`);
      } catch (e) {
        unsaved = [...rejected.map((r) => r.window), ...unsaved];
        warn(context, `dead-lettering ${dead.length} closed window(s)`, e);
      }
    }
    if (unsaved.length > 0) state.unsaved = keep(unsaved);
    else delete state.unsaved;
    return unsaved.length === 0 && dead.length === 0;
  };

  /**
   * Keeps the idle-index row in step (core planIndexWrite: never late, rewritten about every other refresh interval
   * while the stream is busy, always after a flush request so an early row is corrected).
   * `previousMergeAt`: the stream's last merge before this operation.
   */
  const index = async (
    context: EntityContext<StreamState>,
    state: StreamState,
    op: WriteOp,
    at: number,
    previousMergeAt: number | null,
  ): Promise<void> => {
    const idle = (state.idle ??= { timeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
    const plan = planIndexWrite({
      op,
      now: at,
      refreshMs,
      events: catalogFigures(state).events,
      catalog: state.catalog,
      idleDue: flushDueOf(state),
      idleTimeoutMs: idle.timeoutMs,
      previousMergeAt,
      indexed: idle.indexedDue,
    });
    if (!plan.write) return;
    const { pipeline, stream } = splitStreamKey(context.df.entityKey);
    try {
      await stores().activity.record({
        pipeline,
        stream,
        lastActivity: state.lastSeen ?? 0,
        openWindows: liveWindowCount(state),
        idleTimeoutMs: idle.timeoutMs,
        flushDue: plan.due,
      });
      idle.indexedDue = plan.due;
    } catch (e) {
      warn(context, 'updating the idle index', e);
    }
  };

  /**
   * Writes the catalog row when core planCatalogWrite says so: it misses events and was written a refresh interval
   * ago or more, or the operation is a flush (exact), or it was never written. A failed write leaves `state.catalog`
   * as it was, so a later operation repairs the row (and the index keeps the timer due for it).
   */
  const catalog = async (
    context: EntityContext<StreamState>,
    state: StreamState,
    at: number,
    op: WriteOp,
  ): Promise<void> => {
    const events = catalogFigures(state).events;
    if (!planCatalogWrite({ op, now: at, refreshMs, events, catalog: state.catalog })) return;
    const { pipeline, stream } = splitStreamKey(context.df.entityKey);
    try {
      await stores().streams.touch([catalogEntry(pipeline, stream, state, at)]);
      state.catalog = { at, events };
    } catch (e) {
      warn(context, 'updating the Streams catalog', e);
    }
  };

  /** Counts written revisions in the ingest metrics, as suppressed duplicates are; a failed write loses the figure only. */
  const recordRevisions = async (context: EntityContext<StreamState>, count: number): Promise<void> => {
    const metrics = stores().ingestMetrics;
    if (!metrics) return;
    const { pipeline } = splitStreamKey(context.df.entityKey);
    try {
      await metrics.record(
        entityMetricsInput(now(), { revisions: count, breakdown: { [`pipeline:${pipeline}:revisions`]: count } }),
      );
    } catch (e) {
      warn(context, 'recording window revisions in the ingest metrics', e);
    }
  };

  /**
   * Writes each committed revision (state.revisionsDue) as the next version of its window: reads the latest version
   * from the Windows table, merges the late events in (core reviseClosedWindow), writes the version to the history,
   * then replaces the latest. Once: a latest version made by the same revision (same sequence range) is not revised
   * again, so redoing the operation after a crash writes nothing twice. A transient failure keeps the revision due
   * (retried on the next operation and by the idle timer: flushDueOf); a window not in the table and not waiting for
   * its own save (deleted or purged) drops its revision with a warning. The versions written are counted in the ingest
   * metrics (`revisions`, per pipeline) after their rows: a crash in between loses the figure, never counts it twice.
   */
  const saveRevisions = async (context: EntityContext<StreamState>, state: StreamState): Promise<void> => {
    const due = state.revisionsDue ?? [];
    if (due.length === 0) return;
    const key = context.df.entityKey;
    const left: WindowRevision[] = [];
    let written = 0;
    for (const r of due) {
      try {
        const row = (await stores().windows.query(key, { from: r.start, to: r.start + 1, limit: 1 })).items[0];
        if (row === undefined) {
          if (state.unsaved?.some((w) => w.start === r.start)) left.push(r);
          else
            warn(context, `revising window ${new Date(r.start).toISOString()} (not in the Windows table)`, 'dropped');
          continue;
        }
        const latest = closedWindowFromStored(row.data) as ClosedWindow;
        const next = reviseClosedWindow(latest, r, now());
        if (next === null) continue;
        const history = stores().windowVersions;
        const data = toStoredWindow(next);
        // Version 1 is in the history only from the first revision on (saveClosed writes none): it is the latest row,
        // written in the same transaction as version 2.
        const first =
          (latest.version ?? 1) === 1
            ? [{ start: r.start, version: 1, data: toStoredWindow({ ...latest, version: 1 }) }]
            : [];
        await history?.put(key, [...first, { start: r.start, version: next.version ?? 2, data }]);
        await stores().windows.upsert(key, [{ start: next.start, end: next.end, data }]);
        written++;
      } catch (e) {
        if (classifyError(e) === 'transient') left.push(r);
        warn(context, `revising window ${new Date(r.start).toISOString()}`, e);
      }
    }
    if (left.length > 0) state.revisionsDue = left;
    else delete state.revisionsDue;
    if (written > 0) await recordRevisions(context, written);
  };

  return { warn, saveClosed, saveRevisions, index, catalog };
}
