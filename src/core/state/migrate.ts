import { fromStoredState, type StoredStreamState } from './storedState';
import { initialStreamState } from './streamState';
import type { StreamState } from './types';

/** The state shape this code writes. */
export const STREAM_STATE_VERSION = 6;

export type MigrationResult = { ok: true; state: StreamState; from: number } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Stored entity state -> the current shape, one version step at a time. Pure: the input is not modified. Nothing
 * stored (undefined/null) is a new stream. A version this code does not know (a newer deployment wrote it, or the
 * state is corrupt) is refused, never replaced: the caller quarantines the operation (docs/explanation/event-time.md).
 */
export function migrateStreamState(stored: unknown): MigrationResult {
  if (stored === undefined || stored === null)
    return { ok: true, state: initialStreamState(), from: STREAM_STATE_VERSION };
  if (!isObj(stored))
    return {
      ok: false,
      error: `stream state: expected an object with a version, found ${Array.isArray(stored) ? 'an array' : typeof stored}`,
    };
  const version = stored['version'];
  if (version === STREAM_STATE_VERSION || version === 5) {
    try {
      const state = fromStoredState(stored as unknown as StoredStreamState);
      return { ok: true, state: version === 5 ? fromV5(state) : state, from: version };
    } catch (err) {
      return {
        ok: false,
        error: `stream state: expected readable packings in a version ${version} state, found: ${err instanceof Error ? err.message : String(err)}; the operation is quarantined and the stored state kept`,
      };
    }
  }
  if (version === 4) return { ok: true, state: fromV5(fromV4(stored)), from: 4 };
  if (version === 3) return { ok: true, state: fromV5(fromV4(fromV3(stored))), from: 3 };
  if (version === 2) return { ok: true, state: fromV5(fromV4(fromV3(fromV2(stored)))), from: 2 };
  if (version === 1)
    return {
      ok: true,
      state: fromV5(fromV4(fromV3(fromV2(fromV1(stored) as unknown as Record<string, unknown>)))),
      from: 1,
    };
  return {
    ok: false,
    error: `stream state: expected version 1 to ${STREAM_STATE_VERSION}, found ${JSON.stringify(version) ?? 'none'}; the operation is quarantined and the stored state kept`,
  };
}

/**
 * v1 had one watermark per stream (max event time over all partitions). Each known partition starts from it: the best
 * bound known, and windows then close no later than the v1 code would have closed them; it is also the stream's max
 * event time. Each partition counts as active from the stream's last merge.
 */
function fromV1(v1: Record<string, unknown>): StreamState {
  const state = structuredClone(v1) as Record<string, unknown>;
  const watermark = num(state['watermark']);
  const lastSeen = num(state['lastSeen']);
  const partitions = isObj(state['partitions']) ? state['partitions'] : {};
  for (const progress of Object.values(partitions)) {
    if (!isObj(progress)) continue;
    progress['watermark'] = watermark;
    progress['lastMergeAt'] = lastSeen;
  }
  state['partitions'] = partitions;
  state['maxEventTime'] = watermark;
  state['version'] = 2;
  return state as unknown as StreamState;
}

/**
 * v3 added what v2 code would silently drop when merging (so v2 code must quarantine it, not read it): `aggregates`
 * on windows and partials, `aggregateTotals`, sessions (a partial's `session`; closedBy 'superseded'). All are absent
 * where not used, so a v2 state is a v3 state as it stands.
 */
function fromV2(v2: Record<string, unknown>): Record<string, unknown> {
  const state = v2['version'] === 2 ? (structuredClone(v2) as Record<string, unknown>) : v2;
  state['version'] = 3;
  return state;
}

/**
 * v4 added window revisions (late events within `corrections`): a partial's `revisions`, which v3 code would drop
 * when committing it (so v3 code must quarantine a v4 state), the `revisions` counter and `revisionsDue`. A v3 state
 * has made none and has none due.
 */
function fromV3(v3: Record<string, unknown>): Record<string, unknown> {
  const state = v3['version'] === 3 ? (structuredClone(v3) as Record<string, unknown>) : v3;
  state['version'] = 4;
  state['revisions'] = 0;
  return state;
}

/**
 * v5 stores each pending partial's windows packed (storedState.ts), which v4 code cannot read (so it must quarantine a
 * v5 state). In memory nothing changed: a v4 state, whose windows are arrays, is a v5 state as it stands.
 */
function fromV4(v4: Record<string, unknown>): Record<string, unknown> {
  const state = v4['version'] === 4 ? (structuredClone(v4) as Record<string, unknown>) : v4;
  state['version'] = 5;
  return state;
}

/**
 * v6 stores the rate samples packed and packs pending windows more tightly (packing version 2: storedState.ts), which
 * v5 code cannot read (so it must quarantine a v6 state). In memory nothing changed: a v5 state in memory (its
 * packings already read by fromStoredState, which reads both versions) is a v6 state as it stands. A shallow copy: the
 * input's parts are shared, not modified.
 */
function fromV5(v5: Record<string, unknown> | StreamState): StreamState {
  return { ...(v5 as StreamState), version: 6 };
}
