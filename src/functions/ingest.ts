import { app, type EventHubFunctionOptions, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { type BatchMetrics, mergeEncodedSketches, processBatch, type StreamPartial } from '../core';
import { loadSettings } from '../settings';
import { createStores, type Stores } from '../storage';
import { durableClientFor } from './durableClientFor';
import { BatchMemory } from './ingestCommits';
import { IngestMetricsWriter } from './ingestMetricsWriter';
import { PipelineCache } from './ingestPipelines';
import { WatermarkCache } from './ingestWatermarks';
import { type MergeInput, streamEntityId, type StreamSignal } from './streamEntity';

export const INGEST_FUNCTION = 'ingest';

/** What the handler needs; the registration below wires the real ones, tests pass memory/Azurite stores. */
export interface IngestDeps {
  stores: Stores;
  pipelines: PipelineCache;
  watermarks: WatermarkCache;
  /** Batch metrics, written in the background (flush() before reading them back). */
  metrics: IngestMetricsWriter;
  /** Each partition's previous batch, for `commit` operations (process-local). */
  batches: BatchMemory;
  /** One call per entity operation: `merge` per partial, `commit` per stream the trigger's progress let commit. */
  signal(context: InvocationContext, entity: df.EntityId, operation: StreamSignal): Promise<void>;
  now(): number;
  /** DEADLETTER_UNMATCHED: dead-letter an event every pipeline filtered out (reason 'no-pipeline'). */
  deadLetterUnmatched?: boolean;
  /** MAX_FUTURE_SKEW and MIN_EVENT_TIME (docs/explanation/event-time.md); unset: PT1H and no floor. */
  maxFutureSkewMs?: number;
  minEventTime?: number | null;
}

export interface IngestTriggerMetadata {
  partitionId: string;
  sequenceNumbers: number[];
  enqueuedTimes: (string | number)[];
}

/** Reads the Event Hubs batch metadata, naming what is missing. */
export function readTriggerMetadata(context: InvocationContext, count: number): IngestTriggerMetadata {
  const meta = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  const partitionContext = meta['partitionContext'] as { partitionId?: unknown } | undefined;
  const partitionId = partitionContext?.partitionId;
  const sequenceNumbers = meta['sequenceNumberArray'];
  const enqueuedTimes = meta['enqueuedTimeUtcArray'];
  if (typeof partitionId !== 'string' && typeof partitionId !== 'number') {
    throw new Error(`ingest: expected triggerMetadata.partitionContext.partitionId, found ${JSON.stringify(partitionId)}`);
  }
  if (!Array.isArray(sequenceNumbers) || sequenceNumbers.length !== count || !sequenceNumbers.every((s) => typeof s === 'number' || typeof s === 'string')) {
    throw new Error(`ingest: expected triggerMetadata.sequenceNumberArray with ${count} numbers, found ${Array.isArray(sequenceNumbers) ? `${sequenceNumbers.length} entries` : typeof sequenceNumbers}`);
  }
  if (!Array.isArray(enqueuedTimes) || enqueuedTimes.length !== count) {
    throw new Error(`ingest: expected triggerMetadata.enqueuedTimeUtcArray with ${count} entries, found ${Array.isArray(enqueuedTimes) ? enqueuedTimes.length : typeof enqueuedTimes}`);
  }
  return { partitionId: String(partitionId), sequenceNumbers: sequenceNumbers.map(Number), enqueuedTimes: enqueuedTimes as (string | number)[] };
}

function batchLatencySketch(partials: readonly StreamPartial[]): string | undefined {
  const sketches = partials.map((p) => p.latency.sketch);
  if (sketches.length === 0) return undefined;
  return sketches.reduce((a, b) => mergeEncodedSketches(a, b));
}

export async function handleIngest(messages: unknown, context: InvocationContext, deps: IngestDeps): Promise<BatchMetrics> {
  const started = deps.now();
  const bodies = Array.isArray(messages) ? messages : [messages];
  const meta = readTriggerMetadata(context, bodies.length);
  const pipelines = await deps.pipelines.get(started, (m) => context.warn(m));
  const firstSequence = meta.sequenceNumbers.length ? Math.min(...meta.sequenceNumbers) : -1;
  const result = processBatch({
    bodies,
    partitionId: meta.partitionId,
    sequenceNumbers: meta.sequenceNumbers,
    enqueuedTimes: meta.enqueuedTimes,
    pipelines,
    watermarks: deps.watermarks.forBatch(meta.partitionId, firstSequence),
    progress: (pipeline) => deps.watermarks.progressFor(pipeline),
    now: started,
    deadLetterUnmatched: deps.deadLetterUnmatched ?? false,
    ...(deps.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: deps.maxFutureSkewMs }),
    ...(deps.minEventTime === undefined || deps.minEventTime === null ? {} : { minEventTime: deps.minEventTime }),
  });
  const lastSequence = meta.sequenceNumbers.length ? Math.max(...meta.sequenceNumbers) : -1;
  const recordedAt = new Date(started).toISOString();
  if (result.deadLetters.length > 0) {
    await deps.stores.deadLetters.add(
      result.deadLetters.map((d) => ({
        raw: d.raw,
        reason: d.reason,
        detail: d.detail,
        partition: d.partition,
        sequenceNumber: d.sequenceNumber,
        enqueuedTime: d.enqueuedTime,
        recordedAt,
        ...(d.pipeline === undefined ? {} : { pipeline: d.pipeline }),
        ...(d.stream === undefined ? {} : { stream: d.stream }),
      })),
    );
  }
  const configs = new Map(pipelines.map((p) => [p.name, p.config]));
  // One entity operation per (pipeline, stream) of the batch, plus one commit per stream of the partition's previous
  // batch that is absent from this one (steady streams appear in every batch and get none).
  const commits = deps.batches.commitsFor(meta.partitionId, firstSequence, result.partials);
  await Promise.all([
    ...result.partials.map((partial) =>
      deps.signal(context, streamEntityId(partial.pipeline, partial.stream), { name: 'merge', input: { partial, pipeline: configs.get(partial.pipeline) as MergeInput['pipeline'] } }),
    ),
    ...commits.map((c) => deps.signal(context, streamEntityId(c.pipeline, c.stream), { name: 'commit', input: c.input })),
  ]);
  deps.batches.remember(meta.partitionId, firstSequence, lastSequence, result.partials, configs);
  deps.watermarks.update(meta.partitionId, firstSequence, result.partials);
  // The Streams catalog is kept by the stream entities, which know each stream's exact total.
  const latencySketch = batchLatencySketch(result.partials);
  const m: BatchMetrics = { ...result.metrics, entityOperations: result.metrics.entityOperations + commits.length };
  // Written beside the next batch: this waits only for the previous batch's write, if still running (IngestMetricsWriter).
  await deps.metrics.record({
    at: recordedAt,
    partition: meta.partitionId,
    eventsIn: m.eventsIn,
    aggregated: m.aggregated,
    filtered: m.filtered,
    deadLettered: m.deadLettered,
    entityOperations: m.entityOperations,
    processingMs: deps.now() - started,
    ...(latencySketch === undefined ? {} : { latencySketch }),
  });
  context.log(
    `ingest partition ${meta.partitionId}: ${bodies.length} events, ${m.aggregated} aggregated, ${m.filtered} filtered, ${m.deadLettered} dead-lettered, ${m.entityOperations} entity operations (${commits.length} commits; pipelines ${pipelines.map((p) => p.name).join(',')}; sequences ${firstSequence}-${lastSequence})`,
  );
  return m;
}

let defaults: IngestDeps | undefined;
function defaultDeps(): IngestDeps {
  if (!defaults) {
    const settings = loadSettings();
    const stores = createStores(process.env, { mergeLatencySketches: mergeEncodedSketches });
    defaults = {
      stores,
      metrics: new IngestMetricsWriter(stores.ingestMetrics, (m) => console.error(m)),
      pipelines: new PipelineCache(stores.pipelines, settings.pipelineRefreshSeconds * 1000, settings.streamRetentionWindows),
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      signal: (context, entity, op) => durableClientFor(context).signalEntity(entity, op.name, op.input),
      now: Date.now,
      deadLetterUnmatched: settings.deadLetterUnmatched,
      maxFutureSkewMs: settings.maxFutureSkewMs,
      minEventTime: settings.minEventTime,
    };
  }
  return defaults;
}

// dataType 'string' (not in the library's option type, but copied into the binding metadata): bodies arrive as text,
// JSON-parsed by the library when they parse, so one malformed body cannot fail the whole batch.
const ingestOptions: EventHubFunctionOptions & { dataType: 'string' } = {
  connection: 'EventHubConnection',
  eventHubName: '%EVENTHUB_NAME%',
  consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  dataType: 'string',
  extraInputs: [df.input.durableClient()],
  handler: async (messages, context) => {
    await handleIngest(messages, context, defaultDeps());
  },
};
app.eventHub(INGEST_FUNCTION, ingestOptions);
// Graceful shutdown writes the metrics still queued (the host stops its triggers before the app).
app.hook.appTerminate(async () => {
  await defaults?.metrics.flush();
});
