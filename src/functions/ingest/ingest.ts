import { app, type EventHubFunctionOptions, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { appDeps } from '../../app';
import {
  type BatchMetrics,
  type DeadLetterReason,
  mergeEncodedSketches,
  type OutcomeCounts,
  type StreamPartial,
} from '../../core';
import type { DeadLetterRecord, Stores } from '../../storage';
import { classifyError, DEFAULT_RETRY, errorMessage, type RetryOptions, retryTransient } from '../shared/storageFaults';
import { type MergeInput, streamEntityId, type StreamSignal } from '../stream/streamContract';
import type { BatchMemory } from './batchMemory';
import { breakdownOf } from './ingestBreakdown';
import { bufferAndMaybeFlush, type IngestCoalescer } from './ingestCoalesce';
import type { IngestMetricsWriter } from './ingestMetricsWriter';
import { AttemptMemory, defaultProcess, type Process, processIsolatingPoison, retryCountOf } from './ingestPoison';
import { finishReplays, planReplays } from './ingestReplays';
import { type LateWithdrawal, lateWithdrawalFor } from './lateWithdrawal';
import type { PipelineCache } from './pipelineCache';
import type { WatermarkCache } from './watermarkCache';

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
  /** In-process retry of each storage call that fails transiently (default DEFAULT_RETRY); then the invocation fails. */
  retry?: RetryOptions;
  /** MAX_FUTURE_SKEW and MIN_EVENT_TIME (docs/explanation/event-time.md); unset: PT1H and no floor. */
  maxFutureSkewMs?: number;
  minEventTime?: number | null;
  /** EVENTHUB_PARTITION_COUNT, passed to each partial (docs/explanation/event-time.md); null/undefined = not configured. */
  partitionCount?: number | null;
  /** ENTITY_FLUSH_INTERVAL > 0: batches are buffered and each stream signalled at most once per interval (ingestCoalesce.ts). */
  coalescer?: IngestCoalescer | null;
  /** The core (default processBatch); the STREAMFOLD_FAULTS `poisonEvent` hook wraps it (tests only). */
  processBatch?: Process;
  /** Failed attempts per batch, for a host without retryContext (ingestPoison.ts); default: one per process. */
  attempts?: AttemptMemory;
  /** Withdraws an earlier attempt's late dead letters (lateWithdrawal.ts); default: one per process and stores. */
  lateWithdrawal?: LateWithdrawal;
}

const sharedAttempts = new AttemptMemory();

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
    throw new Error(
      `ingest: expected triggerMetadata.partitionContext.partitionId, found ${JSON.stringify(partitionId)}`,
    );
  }
  if (
    !Array.isArray(sequenceNumbers) ||
    sequenceNumbers.length !== count ||
    !sequenceNumbers.every((s) => typeof s === 'number' || typeof s === 'string')
  ) {
    throw new Error(
      `ingest: expected triggerMetadata.sequenceNumberArray with ${count} numbers, found ${Array.isArray(sequenceNumbers) ? `${sequenceNumbers.length} entries` : typeof sequenceNumbers}`,
    );
  }
  if (!Array.isArray(enqueuedTimes) || enqueuedTimes.length !== count) {
    throw new Error(
      `ingest: expected triggerMetadata.enqueuedTimeUtcArray with ${count} entries, found ${Array.isArray(enqueuedTimes) ? enqueuedTimes.length : typeof enqueuedTimes}`,
    );
  }
  return {
    partitionId: String(partitionId),
    sequenceNumbers: sequenceNumbers.map(Number),
    enqueuedTimes: enqueuedTimes as (string | number)[],
  };
}

function batchLatencySketch(partials: readonly StreamPartial[]): string | undefined {
  const sketches = partials.map((p) => p.latency.sketch);
  if (sketches.length === 0) return undefined;
  return sketches.reduce((a, b) => mergeEncodedSketches(a, b));
}

/** Characters of raw body a quarantine record keeps when the dead-letter store rejected the full record. */
export const QUARANTINE_RAW_CHARS = 4096;

/**
 * Writes dead letters, retrying transient failures (then throwing: the invocation fails and the batch is retried).
 * A permanent rejection never blocks the partition: the records are written one by one, and one still rejected is
 * replaced by a smaller quarantine record (raw cut, the detail saying so with the original size); if even that is
 * rejected, the record is logged in full. See docs/explanation/effectively-once.md.
 */
export async function writeDeadLetters(
  records: DeadLetterRecord[],
  context: InvocationContext,
  deps: Pick<IngestDeps, 'stores' | 'retry'>,
): Promise<void> {
  if (records.length === 0) return;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const onRetry = (e: unknown, n: number, ms: number) =>
    context.warn(`ingest: writing dead letters failed (retry ${n} in ${ms} ms): ${errorMessage(e)}`);
  const write = (batch: DeadLetterRecord[]) => retryTransient(() => deps.stores.deadLetters.add(batch), retry, onRetry);
  try {
    await write(records);
    return;
  } catch (e) {
    if (classifyError(e) === 'transient') throw e;
    context.warn(
      `ingest: the dead-letter store rejected a write of ${records.length} record(s) (${errorMessage(e)}); writing them one by one`,
    );
  }
  for (const record of records) {
    try {
      await write([record]);
      continue;
    } catch (e) {
      if (classifyError(e) === 'transient') throw e;
      const bytes = Buffer.byteLength(record.raw, 'utf8');
      // Never cut a surrogate pair in half (a lone surrogate is not valid text for the store).
      const cut = /[\uD800-\uDBFF]$/.test(record.raw.slice(0, QUARANTINE_RAW_CHARS))
        ? QUARANTINE_RAW_CHARS - 1
        : QUARANTINE_RAW_CHARS;
      const quarantine: DeadLetterRecord = {
        ...record,
        raw: record.raw.slice(0, cut),
        detail: `${record.detail.slice(0, 2000)} [quarantined: the dead-letter store rejected the full record (${errorMessage(e).slice(0, 500)}); raw kept to its first ${Math.min(cut, record.raw.length)} of ${record.raw.length} characters (${bytes} UTF-8 bytes)]`,
      };
      context.error(
        `ingest: dead letter ${record.partition}/${record.sequenceNumber} (${record.reason}) rejected (${errorMessage(e)}); writing a quarantine record with its raw body cut to ${QUARANTINE_RAW_CHARS} characters from ${bytes} bytes`,
      );
      try {
        await write([quarantine]);
      } catch (e2) {
        if (classifyError(e2) === 'transient') throw e2;
        context.error(
          `ingest: quarantine record rejected too (${errorMessage(e2)}); the dead letter, in full: ${JSON.stringify(record)}`,
        );
      }
    }
  }
}

/** Moves a quarantined partial's events from aggregated to dead-lettered ('storage') in one counts object. */
function quarantineCounts(counts: OutcomeCounts | undefined, events: number): void {
  if (!counts) return;
  counts.aggregated -= events;
  counts.deadLettered += events;
  counts.byReason['storage' satisfies DeadLetterReason] = (counts.byReason.storage ?? 0) + events;
}

export async function handleIngest(
  messages: unknown,
  context: InvocationContext,
  deps: IngestDeps,
): Promise<BatchMetrics> {
  const started = deps.now();
  const bodies = Array.isArray(messages) ? messages : [messages];
  const meta = readTriggerMetadata(context, bodies.length);
  const recordedAt = new Date(started).toISOString();
  let deliveries = bodies.length;
  const attempts = deps.attempts ?? sharedAttempts;
  const batchKey = `${meta.partitionId}:${meta.sequenceNumbers[0] ?? '-'}-${meta.sequenceNumbers.at(-1) ?? '-'}`;
  try {
    // Coalescing: events a flush already delivered are dropped first (a redelivery after a flush; ingestCoalesce.ts).
    const batch = deps.coalescer ? await deps.coalescer.unflushed(bodies, meta) : { bodies, meta };
    const metrics = await ingestBatch(
      batch.bodies,
      batch.meta,
      context,
      deps,
      started,
      recordedAt,
      (n) => (deliveries = n),
      retryCountOf(context, attempts, batchKey),
    );
    attempts.forget(batchKey);
    return metrics;
  } catch (e) {
    attempts.failed(batchKey);
    // The invocation fails and the trigger retries the batch: nothing process-local moved (ingestBatch updates its
    // caches only at the end); the attempt is recorded as `retried`, never in eventsIn, so no event vanishes from the
    // metrics and none is counted twice once the retry succeeds.
    await deps.metrics.record({
      at: recordedAt,
      partition: meta.partitionId,
      eventsIn: 0,
      aggregated: 0,
      filtered: 0,
      deadLettered: 0,
      entityOperations: 0,
      processingMs: deps.now() - started,
      retried: deliveries,
    });
    context.error(
      `ingest partition ${meta.partitionId}: the batch of ${bodies.length} events (sequences ${meta.sequenceNumbers[0] ?? '-'}-${meta.sequenceNumbers.at(-1) ?? '-'}) failed and will be retried: ${errorMessage(e)}`,
    );
    throw e;
  }
}

async function ingestBatch(
  bodies: unknown[],
  meta: IngestTriggerMetadata,
  context: InvocationContext,
  deps: IngestDeps,
  started: number,
  recordedAt: string,
  counted: (deliveries: number) => void,
  retries: number,
): Promise<BatchMetrics> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const pipelines = await retryTransient(() => deps.pipelines.get(started, (m) => context.warn(m)), retry);
  const firstSequence = meta.sequenceNumbers.length ? Math.min(...meta.sequenceNumbers) : -1;
  // Replayed dead letters: unwrapped, targeted at their pipeline, claimed in the ledger (ingestReplays.ts).
  const replays = await retryTransient(
    () =>
      planReplays(
        bodies,
        meta.partitionId,
        meta.sequenceNumbers,
        pipelines.map((p) => p.name),
        deps.stores.replayLedger,
        recordedAt,
      ),
    retry,
  );
  // A batch the core keeps throwing on is bisected and its poison events dead-lettered (ingestPoison.ts).
  const { result, poison } = processIsolatingPoison(
    {
      bodies: replays?.bodies ?? bodies,
      ...(replays ? { targets: replays.targets } : {}),
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
      ...(deps.partitionCount === undefined || deps.partitionCount === null
        ? {}
        : { partitionCount: deps.partitionCount }),
    },
    retries,
    deps.processBatch ?? defaultProcess,
    (message) => context.error(message),
  );
  counted(result.metrics.eventsIn);
  const lastSequence = meta.sequenceNumbers.length ? Math.max(...meta.sequenceNumbers) : -1;
  const versions = new Map(pipelines.map((p) => [p.name, p.config.version]));
  const letters: DeadLetterRecord[] = result.deadLetters.map((d) => ({
    raw: d.raw,
    reason: d.reason,
    detail: d.detail,
    partition: d.partition,
    sequenceNumber: d.sequenceNumber,
    enqueuedTime: d.enqueuedTime,
    recordedAt,
    ...(d.pipeline === undefined ? {} : { pipeline: d.pipeline }),
    ...(d.pipeline === undefined || versions.get(d.pipeline) === undefined
      ? {}
      : { pipelineVersion: versions.get(d.pipeline) }),
    ...(d.stream === undefined ? {} : { stream: d.stream }),
  }));
  const replayed = replays && finishReplays(replays, letters, result);
  // Ingest rule 7: an earlier attempt's late dead letters this one does not repeat are withdrawn first.
  const withdrawn = await (deps.lateWithdrawal ?? lateWithdrawalFor(deps.stores, retry)).beforeDeadLetters(
    meta.partitionId,
    firstSequence,
    lastSequence,
    replayed?.records ?? letters,
  );
  await writeDeadLetters(replayed?.records ?? letters, context, deps);
  // Only once the dead letters are written: a crash before leaves the claim to the redelivery, which dead-letters again.
  if (replayed && replayed.release.length > 0)
    await retryTransient(() => deps.stores.replayLedger.release(replayed.release), retry);
  const configs = new Map(pipelines.map((p) => [p.name, p.config]));
  // One entity operation per (pipeline, stream) of the batch, plus one commit per stream of the partition's previous
  // batch that is absent from this one (steady streams appear in every batch and get none).
  const coalesced = deps.coalescer
    ? await bufferAndMaybeFlush(
        deps.coalescer,
        { partition: meta.partitionId, firstSequence, lastSequence, partials: result.partials, configs },
        {
          signal: (entity, op) => deps.signal(context, entity, op),
          deadLetter: (records) => writeDeadLetters(records, context, deps),
          warn: (m) => context.warn(m),
          error: (m) => context.error(m),
          reported: (partition, partials) => deps.watermarks.reportDelivered(partition, partials),
          delivered: (r) =>
            deps.metrics.record({
              at: new Date(deps.now()).toISOString(),
              partition: meta.partitionId,
              eventsIn: 0,
              aggregated: 0,
              filtered: 0,
              deadLettered: 0,
              entityOperations: r.operations,
              processingMs: 0,
            }),
        },
      )
    : undefined;
  const commits = coalesced ? [] : deps.batches.commitsFor(meta.partitionId, firstSequence, result.partials);
  const onRetry = (what: string) => (e: unknown, n: number, ms: number) =>
    context.warn(`ingest: ${what} failed (retry ${n} in ${ms} ms): ${errorMessage(e)}`);
  const send = (entity: df.EntityId, op: StreamSignal) =>
    retryTransient(() => deps.signal(context, entity, op), retry, onRetry(`${op.kind} for ${entity.key}`));
  // Every operation is tried, so one stream's permanent failure cannot stop the others (per-stream isolation).
  const [merged, committed] = await Promise.all([
    Promise.allSettled(
      (coalesced ? [] : result.partials).map((partial) =>
        send(streamEntityId(partial.pipeline, partial.stream), {
          kind: 'merge',
          input: { partial, pipeline: configs.get(partial.pipeline) as MergeInput['pipeline'] },
        }),
      ),
    ),
    Promise.allSettled(
      commits.map((c) => send(streamEntityId(c.pipeline, c.stream), { kind: 'commit', input: c.input })),
    ),
  ]);
  const transient = [...merged, ...committed].filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected' && classifyError(r.reason) === 'transient',
  );
  if (transient.length > 0) {
    // The merges that did go through are replaced by the retry's (same firstSequence), so the retry is exact.
    throw new Error(`${transient.length} entity operation(s) kept failing: ${errorMessage(transient[0]?.reason)}`, {
      cause: transient[0]?.reason,
    });
  }
  // Permanent failures: each such stream's partial is dead-lettered ('storage') with its data, its events counted so.
  const quarantined: StreamPartial[] = [];
  merged.forEach((r, i) => {
    if (r.status === 'rejected') quarantined.push(result.partials[i] as StreamPartial);
  });
  committed.forEach((r, i) => {
    // A lost commit loses nothing: the partial stays pending until the stream's next merge or its idle flush.
    if (r.status === 'rejected')
      context.warn(
        `ingest: commit for ${commits[i]?.pipeline}/${commits[i]?.stream} rejected, the idle flush will commit instead: ${errorMessage(r.reason)}`,
      );
  });
  const delivered =
    quarantined.length === 0 ? result.partials : result.partials.filter((p) => !quarantined.includes(p));
  const m: BatchMetrics = {
    ...result.metrics,
    entityOperations: coalesced ? coalesced.operations : result.metrics.entityOperations + commits.length,
  };
  if (quarantined.length > 0) {
    m.byReason = { ...m.byReason };
    m.byPipeline = Object.fromEntries(
      Object.entries(m.byPipeline).map(([k, c]) => [k, { ...c, byReason: { ...c.byReason } }]),
    );
    const records: DeadLetterRecord[] = [];
    for (const p of quarantined) {
      const error = merged[result.partials.indexOf(p)] as PromiseRejectedResult;
      quarantineCounts(m, p.events);
      quarantineCounts(m.byPipeline[p.pipeline], p.events);
      context.error(
        `ingest: merge for ${p.pipeline}/${p.stream} rejected permanently (${errorMessage(error.reason)}); its ${p.events} aggregated event(s) are dead-lettered as 'storage'`,
      );
      records.push({
        raw: JSON.stringify(p),
        reason: 'storage',
        detail: `the stream entity rejected this batch's partial of ${p.events} aggregated event(s) (sequences ${p.firstEventSequence}-${p.lastEventSequence}): ${errorMessage(error.reason)}`,
        partition: p.partition,
        sequenceNumber: p.lastEventSequence,
        enqueuedTime: new Date(p.maxEnqueuedTime).toISOString(),
        recordedAt,
        pipeline: p.pipeline,
        stream: p.stream,
      });
    }
    await writeDeadLetters(records, context, deps);
  }
  deps.batches.remember(meta.partitionId, firstSequence, lastSequence, delivered, configs);
  // Coalescing: the batch is only buffered; its partition's reported progress moves when the flush delivers it.
  deps.watermarks.update(meta.partitionId, firstSequence, delivered, !coalesced);
  // The Streams catalog is kept by the stream entities, which know each stream's exact total.
  const latencySketch = batchLatencySketch(delivered);
  // Written beside the next batch: this waits only for the previous batch's write, if still running (IngestMetricsWriter).
  await deps.metrics.record({
    at: recordedAt,
    partition: meta.partitionId,
    eventsIn: m.eventsIn,
    aggregated: m.aggregated,
    filtered: m.filtered,
    ...filteredMissingOf(m),
    ...breakdownOf(m),
    deadLettered: m.deadLettered,
    ...(poison > 0 ? { poison } : {}),
    ...(withdrawn.length > 0 ? { lateWithdrawn: withdrawn.length } : {}),
    ...(replays ? { replayed: replays.marks.size, replayDuplicates: replays.duplicates } : {}),
    entityOperations: m.entityOperations,
    processingMs: deps.now() - started,
    ...(latencySketch === undefined ? {} : { latencySketch }),
  });
  context.log(
    `ingest partition ${meta.partitionId}: ${bodies.length} events, ${m.aggregated} aggregated, ${m.filtered} filtered, ${m.deadLettered} dead-lettered, ${m.entityOperations} entity operations (${commits.length} commits; pipelines ${pipelines.map((p) => p.name).join(',')}; sequences ${firstSequence}-${lastSequence})`,
  );
  return m;
}

// dataType 'binary' (not in the library's option type, but copied into the binding metadata): bodies arrive as bytes
// and processBatch decodes them, so an empty or non-JSON body is dead-lettered instead of failing the batch (with
// 'string' the worker drops empty bodies while the metadata arrays keep them). The retry is the documented way for
// Event Hubs: while the invocation fails (storage down), the host retries the same batch and does not move past it.
const ingestOptions: EventHubFunctionOptions & { dataType: 'binary' } = {
  connection: 'EventHubConnection',
  eventHubName: '%EVENTHUB_NAME%',
  consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  dataType: 'binary',
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: -1,
    minimumInterval: { seconds: 1 },
    maximumInterval: { seconds: 30 },
  },
  extraInputs: [df.input.durableClient()],
  handler: async (messages, context) => {
    await handleIngest(messages, context, appDeps().ingest);
  },
};
app.eventHub(INGEST_FUNCTION, ingestOptions);
// Graceful shutdown writes the metrics still queued (the host stops its triggers before the app).
app.hook.appTerminate(async () => {
  await appDeps().ingest.coalescer?.idle();
  await appDeps().ingest.metrics.flush();
});

/** The batch's per-pipeline missing-field counts, only when some are non-zero (most batches have none). */
function filteredMissingOf(m: BatchMetrics): { filteredMissing?: Record<string, number> } {
  if (m.filteredMissing === 0) return {};
  const out: Record<string, number> = {};
  for (const [pipeline, counts] of Object.entries(m.byPipeline))
    if (counts.filteredMissing > 0) out[pipeline] = counts.filteredMissing;
  return { filteredMissing: out };
}
