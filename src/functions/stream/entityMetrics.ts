import { ENTITY_METRICS_PARTITION, type IngestMetricsInput, type IngestMetricsStore } from '../../storage';
import { IngestMetricsWriter } from '../ingest/ingestMetricsWriter';
import type { StreamEntityStores } from './streamEntityWrites';

/** The counters the stream entities record: a row of partition ENTITY_METRICS_PARTITION (no batch, no events). */
export type EntityCounts = Pick<IngestMetricsInput, 'duplicatesSuppressed' | 'revisions' | 'breakdown'>;

/** The ingest-metrics input of a stream entity's counters at `atMs`. */
export function entityMetricsInput(atMs: number, counts: EntityCounts): IngestMetricsInput {
  return {
    at: new Date(atMs).toISOString(),
    partition: ENTITY_METRICS_PARTITION,
    eventsIn: 0,
    aggregated: 0,
    filtered: 0,
    deadLettered: 0,
    entityOperations: 0,
    processingMs: 0,
    ...counts,
  };
}

/**
 * The stores the app's stream entities use, with their ingest metrics (suppressed duplicates, one count each) folded
 * per process by an IngestMetricsWriter: a redelivered batch makes ~150 entities recognise a duplicate at once, and each
 * used to read-modify-write the same (minute, `entities`) row itself, racing the others' ETags (up to 8 attempts each)
 * on one row. Now one write per row is in flight and the counts that arrive meanwhile join the next one; the entity
 * does not wait for its count to be written (backpressure only: it waits for the write already in flight). The counts
 * are operational figures like ingest's own: a crash may lose the last ones not yet written (effectively-once.md,
 * "Visible"); the aggregates are not affected.
 */
export function withFoldedEntityMetrics(
  stores: StreamEntityStores,
  logError: (message: string) => void,
): StreamEntityStores {
  const metrics = stores.ingestMetrics;
  if (!metrics) return stores;
  const writer = new IngestMetricsWriter(metrics, logError);
  const folded: IngestMetricsStore = {
    record: (input) => writer.record(input),
    recordAll: async (inputs) => void (await Promise.all(inputs.map((input) => writer.record(input)))),
    recent: (sinceMs) => metrics.recent(sinceMs),
    purge: (beforeMs, limit) => metrics.purge(beforeMs, limit),
  };
  return { ...stores, ingestMetrics: folded };
}
