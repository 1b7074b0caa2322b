import * as df from 'durable-functions';

import { mergeEncodedSketches } from './core';
import type { AnalysisDeps } from './functions/analysis/deps';
import type { DeleteStreamDeps } from './functions/api/deleteStream';
import type { ApiDeps } from './functions/api/deps';
import { readStreamEntity } from './functions/api/readStreamEntity';
import { BatchMemory } from './functions/ingest/batchMemory';
import { withInjectedFaults } from './functions/ingest/faultInjection';
import type { IngestDeps } from './functions/ingest/ingest';
import { defaultCoalescer } from './functions/ingest/ingestCoalesce';
import { IngestMetricsWriter } from './functions/ingest/ingestMetricsWriter';
import { PipelineCache } from './functions/ingest/pipelineCache';
import { WatermarkCache } from './functions/ingest/watermarkCache';
import type { PurgeDeps } from './functions/retention/purgeExpired';
import { durableClientFor } from './functions/shared/durableClientFor';
import { withFoldedEntityMetrics } from './functions/stream/entityMetrics';
import type { FlushIdleDeps } from './functions/stream/flushIdleStreams';
import { signalStream, streamEntityId } from './functions/stream/streamContract';
import type { StreamEntityStores } from './functions/stream/streamEntity';
import { loadSettings, type Settings } from './settings';
import { createStores, type Stores } from './storage';

/**
 * The composition root: the app's settings and stores, built once per process, and what each function needs from
 * them. Every function module takes its dependencies from {@link appDeps} (the modules register themselves with the
 * Functions host when it loads them, so they cannot be handed arguments). Tests and the simulator build the same
 * wiring from settings and stores of their own with {@link buildAppDeps}, or replace parts with {@link setAppDeps}.
 * Only type imports reach the function modules that register something: importing this module registers nothing.
 */
export interface AppDeps {
  settings: Settings;
  stores: Stores;
  ingest: IngestDeps;
  streamEntity: StreamEntityStores;
  flushIdle: FlushIdleDeps;
  purge: PurgeDeps;
  api: ApiDeps;
  deleteStream: DeleteStreamDeps;
  analysis: AnalysisDeps;
}

/** Wires every function's dependencies from the given settings and stores (no I/O: stores connect on first use). */
export function buildAppDeps(settings: Settings, stores: Stores, now: () => number = Date.now): AppDeps {
  return {
    settings,
    stores,
    // STREAMFOLD_FAULTS (tests only, faultInjection.ts): off unless set.
    ingest: withInjectedFaults({
      stores,
      metrics: new IngestMetricsWriter(stores.ingestMetrics, (m) => console.error(m)),
      pipelines: new PipelineCache(
        stores.pipelines,
        settings.pipelineRefreshSeconds * 1000,
        settings.streamRetentionWindows,
      ),
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      signal: (context, entity, op) => signalStream(durableClientFor(context), entity, op),
      now,
      deadLetterUnmatched: settings.deadLetterUnmatched,
      maxFutureSkewMs: settings.maxFutureSkewMs,
      minEventTime: settings.minEventTime,
      partitionCount: settings.eventHubPartitionCount,
      coalescer: defaultCoalescer(settings.entityFlushIntervalMs, () => stores.ingestBuffer),
    }),
    // Suppressed-duplicate counts folded per process (entityMetrics.ts), not one read-modify-write per operation.
    streamEntity: withFoldedEntityMetrics(stores, (m) => console.error(m)),
    flushIdle: {
      activity: stores.activity,
      signal: (context, entity, op) => signalStream(durableClientFor(context), entity, op),
      now,
    },
    purge: { ...stores, retention: settings, now },
    api: { stores, readStream: readStreamEntity, now, defaultRetention: settings.streamRetentionWindows },
    deleteStream: {
      activity: stores.activity,
      signalDelete: (context, pipeline, stream) =>
        signalStream(df.getClient(context), streamEntityId(pipeline, stream), { kind: 'delete' }),
    },
    analysis: stores,
  };
}

let current: AppDeps | undefined;

/** The process's dependencies, built from the environment on first use. */
export function appDeps(): AppDeps {
  // The core's sketch merge keeps one latency sketch per metrics row, so /api/metrics percentiles cover every batch.
  current ??= buildAppDeps(loadSettings(), createStores(process.env, { mergeLatencySketches: mergeEncodedSketches }));
  return current;
}

/** Tests: replaces the given parts of the process's dependencies; undefined rebuilds them all on next use. */
export function setAppDeps(parts: Partial<AppDeps> | undefined): void {
  current = parts === undefined ? undefined : { ...appDeps(), ...parts };
}
