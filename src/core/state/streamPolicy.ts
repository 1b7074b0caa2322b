import type { StreamPartial } from '../batch';
import { DEFAULT_IDLE_TIMEOUT, idleTimeoutMs as parseIdleTimeout, type PipelineConfig } from '../pipelines';
import { commitThroughInPlace, flushIdle, hasLiveWindow, mergePartialInPlace } from './streamState';
import type { StoredClosedWindow, StreamState } from './types';
import type { WriteOp } from './writePlan';

/**
 * The stream entity's policy, without I/O: what each state-changing operation does to the stream's state, which
 * windows it closes and which bookkeeping rows it asks to have written. The entity (src/functions/stream) loads the
 * state, applies the operation here, writes what the plan says and saves the state. The operations' names and inputs
 * are defined here once; the entity's contract adds the read and erase operations (get, reset, delete).
 */
export type StreamChange =
  | { kind: 'merge'; input: { partial: StreamPartial; pipeline: PipelineConfig } }
  /** From ingest: the partition's batch [firstSequence, lastSequence] is checkpointed (see core commitThrough). */
  | {
      kind: 'commit';
      input: { partition: string; firstSequence: number; lastSequence: number; pipeline: PipelineConfig };
    }
  /** From the flushIdleStreams timer, with its clock, so the entity's decision is a pure function of its input. */
  | { kind: 'flush'; input: { now: number } };
export type StreamChangeKind = StreamChange['kind'];

/** What one operation did and what it asks the entity to write. */
export interface StreamChangePlan {
  state: StreamState;
  outcome: string;
  /** Windows the operation closed: upserted to the Windows table (with the ones an earlier save could not write). */
  closedWindows: StoredClosedWindow[];
  /** The catalog and idle-index rows are planned for this operation (core writePlan); null: no bookkeeping write. */
  writes: WriteOp | null;
  /** The time of the operation: the entity's clock, or the flush's own. */
  at: number;
  /** The stream's last merge before this operation (the idle-index plan's previousMergeAt). */
  previousMergeAt: number | null;
}

export const DEFAULT_IDLE_TIMEOUT_MS = parseIdleTimeout(DEFAULT_IDLE_TIMEOUT);

/**
 * Applies a state-changing operation. The state is updated in place: it was just parsed from JSON and is the
 * operation's own (no deep clone). `now` is the entity's clock; a flush runs at its own `now`.
 */
export function applyStreamChange(state: StreamState, change: StreamChange, now: number): StreamChangePlan {
  switch (change.kind) {
    case 'merge': {
      const config = change.input.pipeline;
      const previousMergeAt = state.lastSeen;
      const result = mergePartialInPlace(state, change.input.partial, now, config);
      // An ignored merge (a redelivered batch) writes nothing; otherwise the pipeline's idle timeout is kept for the
      // index (it is read by flushDueOf, after the catalog write, which does not read it).
      if (result.outcome !== 'ignored')
        result.state.idle = { ...result.state.idle, timeoutMs: config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS };
      return {
        state: result.state,
        outcome: result.outcome,
        closedWindows: result.closedWindows,
        writes: result.outcome === 'ignored' ? null : 'merge',
        at: now,
        previousMergeAt,
      };
    }
    case 'commit': {
      const { partition, firstSequence, lastSequence, pipeline } = change.input;
      const result = commitThroughInPlace(state, partition, { firstSequence, lastSequence }, now, pipeline);
      // The total is unchanged by a commit (reads include pending partials). The stream was absent from its
      // partition's latest batch and may have gone quiet, but writing its catalog row exactly on every commit made
      // the rows flip per operation: the index keeps the timer due within a refresh interval instead.
      return {
        state: result.state,
        outcome: result.outcome,
        closedWindows: result.closedWindows,
        writes: result.outcome === 'committed' ? 'commit' : null,
        at: now,
        previousMergeAt: result.state.lastSeen,
      };
    }
    case 'flush': {
      const at = change.input.now;
      const result = flushIdle(state, at, state.idle?.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
      return {
        state: result.state,
        outcome: result.outcome,
        closedWindows: result.closedWindows,
        writes: 'flush',
        at,
        previousMergeAt: result.state.lastSeen,
      };
    }
    default: {
      const unknown: never = change;
      throw new TypeError(`applyStreamChange: expected merge, commit or flush, found ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * When the idle flush may close this stream's windows: null while nothing is open or the timeout is off. A stream with
 * unsaved closed windows is due at once (its last merge), so the flush timer retries them even when it went quiet;
 * closed windows held back on purpose (WINDOW_WRITE_DELAY) are due when their delay ends (`unsavedDue`).
 */
export function flushDueOf(state: StreamState): number | null {
  const unsaved = state.unsaved !== undefined && state.unsaved.length > 0;
  const held = unsaved && state.unsavedDue !== undefined ? state.unsavedDue : null;
  if (unsaved && held === null) return state.lastSeen ?? 0;
  if (state.revisionsDue !== undefined && state.revisionsDue.length > 0) return state.lastSeen ?? 0;
  const timeoutMs = state.idle?.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(timeoutMs > 0) || state.lastSeen === null || !hasLiveWindow(state)) return held;
  return held === null ? state.lastSeen + timeoutMs : Math.min(held, state.lastSeen + timeoutMs);
}
