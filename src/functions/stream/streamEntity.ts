import type { EntityContext, EntityHandler } from 'durable-functions';

import { appDeps } from '../../app';
import {
  applyStreamChange,
  decodeStreamKey,
  initialStreamState,
  migrateStreamState,
  type StreamState,
  streamView,
  toStoredState,
} from '../../core';
import { simulationHooks } from '../../simulationHooks';
import { registerBatchedEntity } from '../shared/entityBatch';
import { entityMetricsInput } from './entityMetrics';
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
import { catalogEntry, createStreamWrites, stampPipelineVersion, type StreamEntityStores } from './streamEntityWrites';

/** The checked input of a state-changing operation, as the core policy takes it. */
function validateChange(
  kind: StreamChange['kind'],
  input: unknown,
  key: string,
): { ok: true; value: StreamChange } | { ok: false; error: string } {
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
/** The state as stored: pending partials' windows packed (core toStoredState); loadState unpacks them. */
const toStored = (state: StreamState): StreamState => toStoredState(state) as unknown as StreamState;

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

/**
 * How often an active stream's catalog and idle-index rows are rewritten at most (core planCatalogWrite,
 * planIndexWrite). The catalog row's `events` lags the entity by at most this while merges keep coming; once they stop,
 * the idle index brings the timer's flush within CATALOG_LAG_REFRESHES times this (plus a timer period), which writes
 * it exactly, as does a reset.
 */
export const CATALOG_REFRESH_MS = 5000;

export {
  catalogEntry,
  MAX_UNSAVED_WINDOWS,
  stampPipelineVersion,
  type StreamEntityStores,
  windowDeadLetter,
} from './streamEntityWrites';

/** Builds the entity handler; the stores are injected so tests can use memory or Azurite-backed stores. */
export function createStreamEntityHandler(
  stores: () => StreamEntityStores,
  now: () => number = Date.now,
  options: { catalogRefreshMs?: number; windowWriteDelayMs?: () => number } = {},
): EntityHandler<StreamState> {
  const refreshMs = options.catalogRefreshMs ?? CATALOG_REFRESH_MS;
  const { warn, saveClosed, saveRevisions, index, catalog } = createStreamWrites(stores, now, refreshMs);

  /**
   * A redelivered partial recognised ('ignored' duplicates, 'replaced' pending) is counted in the ingest metrics as
   * suppressed (docs/explanation/effectively-once.md, "Visible"): rare, so one small write each. A failed write loses
   * only the figure.
   */
  const recordSuppressed = async (
    context: EntityContext<StreamState>,
    outcome: string,
    state: StreamState,
    at: number,
  ): Promise<void> => {
    if (outcome === 'replaced') state.redeliveries = (state.redeliveries ?? 0) + 1;
    if (outcome !== 'replaced' && outcome !== 'ignored') return;
    const metrics = stores().ingestMetrics;
    if (!metrics) return;
    try {
      await metrics.record(entityMetricsInput(at, { duplicatesSuppressed: 1 }));
    } catch (e) {
      warn(context, 'recording a suppressed duplicate in the ingest metrics', e);
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
      return fail(
        `${kind}: expected an entity key made by encodeStreamKey(pipeline, stream), found ${JSON.stringify(key)}`,
      );
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
        const change = checked.value;
        // The simulator's planted bug (test-only): the committed partial stays pending, so it is committed again later.
        const planted =
          change.kind === 'commit' && simulationHooks()?.plantedBug === 'commit-pending-twice'
            ? state.partitions[change.input.partition]?.pending
            : undefined;
        const plan = applyStreamChange(state, change, at);
        if (planted && plan.outcome === 'committed')
          (plan.state.partitions[(change.input as { partition: string }).partition] as { pending: unknown }).pending =
            planted;
        // Pipeline versions (docs/explanation/pipeline-versions.md): the idle flush carries no config, so the version of
        // the last merge is kept in state for it.
        if (change.kind === 'merge') {
          await recordSuppressed(context, plan.outcome, plan.state, at);
          if (change.input.pipeline.version !== undefined) plan.state.pipelineVersion = change.input.pipeline.version;
        }
        stampPipelineVersion(
          plan.closedWindows,
          change.kind === 'flush' ? plan.state.pipelineVersion : change.input.pipeline.version,
        );
        const delayMs = options.windowWriteDelayMs?.() ?? 0;
        const saved = await saveClosed(context, plan.state, plan.closedWindows, { op: kind, at, delayMs });
        await saveRevisions(context, plan.state);
        if (plan.writes !== null) {
          // Only the entity knows the exact total, so it keeps the catalog row; operations of one entity run one at a
          // time, so the last write is the newest total.
          await catalog(context, plan.state, plan.at, plan.writes);
          await index(context, plan.state, plan.writes, plan.at, plan.previousMergeAt);
        }
        context.df.setState(toStored(plan.state));
        context.df.return({
          ok: true,
          kind,
          outcome: plan.outcome,
          closedWindows: plan.closedWindows.length,
          saved,
        } satisfies StreamReply);
        return;
      }
      case 'get': {
        const state = loadState(context, false);
        if (state) context.df.return({ ok: true, kind, view: streamView(state) } satisfies StreamReply);
        return;
      }
      case 'reset': {
        // A state this code cannot read is never replaced, not even by a reset.
        const previous = loadState(context);
        if (!previous) return;
        // Closed windows held back (WINDOW_WRITE_DELAY) are the stream's past, not its state: written, not dropped.
        if (previous.unsavedDue !== undefined) await saveClosed(context, previous, []);
        const at = now();
        const state: StreamState = { ...initialStreamState(), catalog: { at, events: 0 } };
        // Keep the catalog and the idle index consistent with the entity: a reset stream lists with a zero total.
        const { pipeline, stream } = splitStreamKey(key);
        try {
          await stores().streams.touch([catalogEntry(pipeline, stream, state, at)]);
          await stores().activity.record({
            pipeline,
            stream,
            lastActivity: now(),
            openWindows: 0,
            idleTimeoutMs: 0,
            flushDue: null,
          });
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
          await stores().windowVersions?.deleteStream(key, 1000);
          await stores().streams.remove(pipeline, stream);
          await stores().activity.remove(pipeline, stream);
        } catch (e) {
          warn(context, "erasing the stream's windows, catalog and idle-index rows", e);
        }
        context.df.destructOnExit();
        context.df.return({ ok: true, kind } satisfies StreamReply);
        return;
      }
      default: {
        const unknown: never = kind;
        context.df.return({
          ok: false,
          error: `unknown operation ${JSON.stringify(unknown)}: expected merge, commit, flush, get, reset or delete`,
        } satisfies StreamReply);
      }
    }
  };
  return handler as EntityHandler<StreamState>;
}

/** The handler the app registers (exported so tests drive exactly it, through durable-functions' Entity class). */
export const streamEntityHandler = createStreamEntityHandler(() => appDeps().streamEntity, Date.now, {
  windowWriteDelayMs: () => appDeps().settings.windowWriteDelayMs,
});
// As df.app.entity, but each batch parses and serializes the state once (entityBatch.ts).
registerBatchedEntity(STREAM_ENTITY, streamEntityHandler);
