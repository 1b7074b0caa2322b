import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';

import { appDeps } from '../../app';
import type { Stores } from '../../storage';
import { durableClientFor } from '../shared/durableClientFor';
import { signalStream } from '../stream/streamContract';
import { writeDeadLetters } from './ingest';
import type { FlushResult, IngestCoalescer } from './ingestCoalesce';
import type { IngestMetricsWriter } from './ingestMetricsWriter';
import type { WatermarkCache } from './watermarkCache';

export const FLUSH_INGEST_BUFFER_FUNCTION = 'flushIngestBuffer';
/** Every 5 s: a partition that went quiet is delivered within the interval plus this. */
export const FLUSH_INGEST_BUFFER_SCHEDULE = '*/5 * * * * *';

export interface FlushBufferDeps {
  coalescer: IngestCoalescer;
  stores: Stores;
  metrics: Pick<IngestMetricsWriter, 'record' | 'flush'>;
  /** Ingest's progress reports: a partition's moves when its batches are flushed (ingestCoalesce.ts, rule 9). */
  watermarks: Pick<WatermarkCache, 'reportDelivered'>;
  signal(
    context: InvocationContext,
    entity: df.EntityId,
    operation: Parameters<Parameters<IngestCoalescer['flush']>[1]['signal']>[1],
  ): Promise<void>;
  now(): number;
}

/**
 * Flushes the partitions whose oldest buffered batch is at least ENTITY_FLUSH_INTERVAL old (ingest flushes busy
 * partitions itself; this delivers the ones that went quiet). Records each flush's operations as an ingest-metrics row
 * with no events, so /api/metrics counts them. A transient failure fails the run; the claim makes the next run exact.
 */
export async function flushIngestBuffer(context: InvocationContext, deps: FlushBufferDeps): Promise<FlushResult[]> {
  const started = deps.now();
  const results = await deps.coalescer.flushStale({
    signal: (entity, op) => deps.signal(context, entity, op),
    deadLetter: (records) => writeDeadLetters(records, context, deps),
    warn: (m) => context.warn(m),
    error: (m) => context.error(m),
    reported: (partition, partials) => deps.watermarks.reportDelivered(partition, partials),
  });
  const sent = results.filter((r) => r.operations > 0);
  for (const r of sent) {
    await deps.metrics.record({
      at: new Date(started).toISOString(),
      partition: 'buffer',
      eventsIn: 0,
      aggregated: 0,
      filtered: 0,
      deadLettered: 0,
      entityOperations: r.operations,
      processingMs: deps.now() - started,
    });
  }
  if (sent.length > 0) {
    await deps.metrics.flush();
    context.log(
      `flushIngestBuffer: delivered ${sent.length} partition(s), ${sent.reduce((n, r) => n + r.operations, 0)} entity operations for ${sent.reduce((n, r) => n + r.events, 0)} events`,
    );
  }
  return results;
}

if (appDeps().settings.entityFlushIntervalMs > 0) {
  // The composition root's coalescer, stores and metrics writer: the same ones ingest uses in this process.
  const defaultDeps = (): FlushBufferDeps => {
    const { ingest, stores } = appDeps();
    return {
      coalescer: ingest.coalescer as IngestCoalescer,
      stores,
      metrics: ingest.metrics,
      watermarks: ingest.watermarks,
      signal: (context, entity, op) => signalStream(durableClientFor(context), entity, op),
      now: ingest.now,
    };
  };
  app.timer(FLUSH_INGEST_BUFFER_FUNCTION, {
    schedule: FLUSH_INGEST_BUFFER_SCHEDULE,
    extraInputs: [df.input.durableClient()],
    handler: async (_timer: Timer, context: InvocationContext) => {
      await flushIngestBuffer(context, defaultDeps());
    },
  });
}
