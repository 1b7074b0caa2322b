import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';

import { appDeps } from '../../app';
import type { StreamActivityStore } from '../../storage';
import { streamEntityId, type StreamSignal } from './streamContract';

export const FLUSH_IDLE_STREAMS_FUNCTION = 'flushIdleStreams';

/** Streams signalled per run at most; the rest are due on the next run. */
export const MAX_FLUSHES_PER_RUN = 5000;

export interface FlushIdleDeps {
  activity: StreamActivityStore;
  signal(
    context: InvocationContext,
    entity: df.EntityId,
    operation: Extract<StreamSignal, { kind: 'flush' }>,
  ): Promise<void>;
  now(): number;
}

/**
 * Signals `flush` (with this run's clock) to every stream whose idle-index row is due: its last merge is at least its
 * pipeline's idleTimeout ago and it still has open windows, or its Streams catalog row has missed events for
 * CATALOG_REFRESH_MS (the flush rewrites it exactly). The entity re-checks with its own lastSeen, so a stream that
 * became active meanwhile keeps its windows (and its row is corrected).
 */
export async function flushIdleStreams(context: InvocationContext, deps: FlushIdleDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.activity.due(now, MAX_FLUSHES_PER_RUN);
  await Promise.all(
    due.map((row) => deps.signal(context, streamEntityId(row.pipeline, row.stream), { kind: 'flush', input: { now } })),
  );
  if (due.length > 0) context.log(`flushIdleStreams: signalled flush to ${due.length} idle stream(s)`);
  return due.length;
}

// The host rejects a timer with an empty schedule, so with IDLE_FLUSH_SCHEDULE set to "" the timer is not registered.
// The schedule is the setting's value itself (not %IDLE_FLUSH_SCHEDULE%) so that the default applies when it is unset.
const schedule = appDeps().settings.idleFlushSchedule;
if (schedule !== '') {
  app.timer(FLUSH_IDLE_STREAMS_FUNCTION, {
    schedule,
    extraInputs: [df.input.durableClient()],
    handler: async (_timer: Timer, context: InvocationContext) => {
      await flushIdleStreams(context, appDeps().flushIdle);
    },
  });
}
