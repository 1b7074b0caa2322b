import type { EntityContext, EntityHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { appDeps } from '../../app';
import {
  applyStreamChange,
  catalogFigures,
  type ClosedWindow,
  decodeStreamKey,
  DEFAULT_IDLE_TIMEOUT_MS,
  flushDueOf,
  initialStreamState,
  liveWindowCount,
  migrateStreamState,
  planCatalogWrite,
  planIndexWrite,
  type StreamState,
  streamView,
  toStoredWindow,
  type WriteOp,
} from '../../core';
import type { DeadLetterRecord, Stores, StreamCatalogEntry } from '../../storage';
import { classifyError, errorMessage } from '../shared/storageFaults';
import {
  isNum,
  isObj,
  splitStreamKey,
  STREAM_ENTITY,
  type StreamChange,
  type StreamOperationKind,
  type StreamReply,
  validateCommitInput,
  validateFlushInput,
  validateMergeInput,
} from './streamContract';

/** The checked input of a state-changing operation, as the core policy takes it. */
function validateChange(kind: StreamChange['kind'], input: unknown, key: string): { ok: true; value: StreamChange } | { ok: false; error: string } {
  switch (kind) {
    case 'merge': {
      const checked = validateMergeInput(input, key);
      return checked.ok ? { ok: true, value: { kind, input: checked.value } } : checked;
    }
    case 'commit': {
      const checked = validateCommitInput(input);
      return checked.ok ? { ok: true, value: { kind, input: checked.value } } : checked;
    }
    case 'flush': {
      const checked = validateFlushInput(input);
      return checked.ok ? { ok: true, value: { kind, input: checked.value } } : checked;
    }
    default: {
      const unknown: never = kind;
      return { ok: false, error: `unknown operation ${JSON.stringify(unknown)}` };
    }
  }
}

/**
 * The stored state in the current shape (migrateStreamState). A version this code does not read quarantines the
 * operation: it replies ok:false, and the stored state is kept as it is but for its `quarantined` counter (not counted
 * for `get`, which loses nothing); returns undefined then. Never a reset.
 */
function loadState(context: EntityContext<StreamState>, count = true): StreamState | undefined {
  const stored: unknown = context.df.getState(() => null as unknown as StreamState);
  const migrated = migrateStreamState(stored);
  if (migrated.ok) return migrated.state;
  let quarantined = isObj(stored) && isNum(stored['quarantined']) ? stored['quarantined'] : 0;
  if (count && isObj(stored)) {
    quarantined++;
    context.df.setState({ ...stored, quarantined } as unknown as StreamState);
  }
  const error = `${migrated.error} (${quarantined} operation(s) quarantined so far)`;
  context.warn(`stream entity ${context.df.entityKey}: ${error}`);
  context.df.return({ ok: false, error } satisfies StreamReply);
  return undefined;
}

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
 * How often an active stream's catalog and idle-index rows are rewritten at most (core planCatalogWrite,
 * planIndexWrite). The catalog row's `events` lags the entity by at most this while merges keep coming; once they stop,
 * the idle index brings the timer's flush within CATALOG_LAG_REFRESHES times this (plus a timer period), which writes
 * it exactly, as does a reset.
 */
export const CATALOG_REFRESH_MS = 5000;

/** The stores the entity writes: closed windows, its catalog row, its idle-index row and (windows it cannot save) dead letters. */
export type StreamEntityStores = Pick<Stores, 'windows' | 'streams' | 'deadLetters' | 'activity'>;

/** Closed windows kept for a retry at most; beyond it the oldest are dead-lettered as 'storage' with their data. */
export const MAX_UNSAVED_WINDOWS = 64;

/** A closed window the Windows table would not take, as a dead letter carrying its data. */
export function windowDeadLetter(w: ClosedWindow, error: string, recordedAt: number): DeadLetterRecord {
  return {
    raw: JSON.stringify(w),
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

/** Builds the entity handler; the stores are injected so tests can use memory or Azurite-backed stores. */
export function createStreamEntityHandler(
  stores: () => StreamEntityStores,
  now: () => number = Date.now,
  options: { catalogRefreshMs?: number } = {},
): EntityHandler<StreamState> {
  const refreshMs = options.catalogRefreshMs ?? CATALOG_REFRESH_MS;
  const warn = (context: EntityContext<StreamState>, what: string, e: unknown) =>
    context.warn(`stream entity ${context.df.entityKey}: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);

  /**
   * Upserts closed windows (and earlier failed ones). On a transient failure keeps them in state for the next operation
   * (any kind, and the idle timer's flush: see flushDueOf), at most MAX_UNSAVED_WINDOWS: the oldest beyond are
   * dead-lettered as 'storage' with their data and counted in `unsavedDropped`. A window the table rejects permanently
   * (a 4xx) is dead-lettered at once. A dead-letter write that fails keeps its windows unsaved until it works.
   */
  const saveClosed = async (context: EntityContext<StreamState>, state: StreamState, closed: ClosedWindow[]): Promise<boolean> => {
    const toSave: ClosedWindow[] = [...(state.unsaved ?? []), ...closed];
    if (toSave.length === 0) return true;
    const key = context.df.entityKey;
    // Stored without the summaries, which are derived on read (core closedWindowFromStored).
    const upsert = (ws: ClosedWindow[]) => stores().windows.upsert(key, ws.map((w) => ({ start: w.start, end: w.end, data: toStoredWindow(w) })));
    let unsaved: ClosedWindow[] = [];
    const rejected: { window: ClosedWindow; error: string }[] = [];
    try {
      // Idempotent upsert keyed by window start, so re-running this operation after a crash is harmless.
      await upsert(toSave);
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
      context.error(`stream entity ${key}: saving ${toSave.length} closed window(s) failed (${unsaved.length} kept for a retry, ${rejected.length} rejected): ${errorMessage(e)}`);
    }
    const overflow = unsaved.length - MAX_UNSAVED_WINDOWS;
    const dropped = overflow > 0 ? unsaved.slice(0, overflow).map((w) => ({ window: w, error: `more than ${MAX_UNSAVED_WINDOWS} closed windows were waiting for a retry` })) : [];
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
    if (unsaved.length > 0) state.unsaved = unsaved;
    else delete state.unsaved;
    return unsaved.length === 0 && dead.length === 0;
  };

  /**
   * Keeps the idle-index row in step (core planIndexWrite: never late, rewritten about every other refresh interval
   * while the stream is busy, always after a flush request so an early row is corrected).
   * `previousMergeAt`: the stream's last merge before this operation.
   */
  const index = async (context: EntityContext<StreamState>, state: StreamState, op: WriteOp, at: number, previousMergeAt: number | null): Promise<void> => {
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
      await stores().activity.record({ pipeline, stream, lastActivity: state.lastSeen ?? 0, openWindows: liveWindowCount(state), idleTimeoutMs: idle.timeoutMs, flushDue: plan.due });
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
  const catalog = async (context: EntityContext<StreamState>, state: StreamState, at: number, op: WriteOp): Promise<void> => {
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

  const handler = async (context: EntityContext<StreamState>): Promise<void> => {
    const kind = context.df.operationName as StreamOperationKind;
    const key = context.df.entityKey;
    const fail = (error: string) => {
      context.warn(`stream entity ${key}: ${error}`);
      context.df.return({ ok: false, error } satisfies StreamReply);
    };
    // Only keys encodeStreamKey made name a stream (an entity from before the codec, e.g. `default|s-001`, is read-only).
    if (kind !== 'get' && decodeStreamKey(key) === undefined) {
      return fail(`${kind}: expected an entity key made by encodeStreamKey(pipeline, stream), found ${JSON.stringify(key)}`);
    }
    switch (kind) {
      case 'merge':
      case 'commit':
      case 'flush': {
        const checked = validateChange(kind, context.df.getInput(), key);
        if (!checked.ok) return fail(checked.error);
        const at = now();
        // load → apply (core policy: what closes, what to write) → write → save.
        const state = loadState(context);
        if (!state) return;
        const plan = applyStreamChange(state, checked.value, at);
        const saved = await saveClosed(context, plan.state, plan.closedWindows);
        if (plan.writes !== null) {
          // Only the entity knows the exact total, so it keeps the catalog row; operations of one entity run one at a
          // time, so the last write is the newest total.
          await catalog(context, plan.state, plan.at, plan.writes);
          await index(context, plan.state, plan.writes, plan.at, plan.previousMergeAt);
        }
        context.df.setState(plan.state);
        context.df.return({ ok: true, kind, outcome: plan.outcome, closedWindows: plan.closedWindows.length, saved } satisfies StreamReply);
        return;
      }
      case 'get': {
        const state = loadState(context, false);
        if (state) context.df.return({ ok: true, kind, view: streamView(state) } satisfies StreamReply);
        return;
      }
      case 'reset': {
        // A state this code cannot read is never replaced, not even by a reset.
        if (!loadState(context)) return;
        const at = now();
        const state: StreamState = { ...initialStreamState(), catalog: { at, events: 0 } };
        // Keep the catalog and the idle index consistent with the entity: a reset stream lists with a zero total.
        const { pipeline, stream } = splitStreamKey(key);
        try {
          await stores().streams.touch([catalogEntry(pipeline, stream, state, at)]);
          await stores().activity.record({ pipeline, stream, lastActivity: now(), openWindows: 0, idleTimeoutMs: 0, flushDue: null });
        } catch (e) {
          warn(context, 'updating the Streams catalog and idle index', e);
          delete state.catalog;
        }
        context.df.setState(state);
        context.df.return({ ok: true, kind } satisfies StreamReply);
        return;
      }
      case 'delete': {
        // Runs after the operations queued before it, so it also erases the windows and rows they wrote; the route has
        // erased the rest. The entity goes with its state; a later event starts the stream afresh.
        const { pipeline, stream } = splitStreamKey(key);
        try {
          await stores().windows.deleteStream(key, 1000);
          await stores().streams.remove(pipeline, stream);
          await stores().activity.remove(pipeline, stream);
        } catch (e) {
          warn(context, 'erasing the stream\'s windows, catalog and idle-index rows', e);
        }
        context.df.destructOnExit();
        context.df.return({ ok: true, kind } satisfies StreamReply);
        return;
      }
      default: {
        const unknown: never = kind;
        context.df.return({ ok: false, error: `unknown operation ${JSON.stringify(unknown)}: expected merge, commit, flush, get, reset or delete` } satisfies StreamReply);
      }
    }
  };
  return handler as EntityHandler<StreamState>;
}

/** The handler the app registers (exported so tests drive exactly it, through durable-functions' Entity class). */
export const streamEntityHandler = createStreamEntityHandler(() => appDeps().streamEntity);
df.app.entity(STREAM_ENTITY, streamEntityHandler);
