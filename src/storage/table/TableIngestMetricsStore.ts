import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import { accumulateMetrics } from '../accumulateMetrics';
import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import { minuteKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import { purgeBeforeMs } from '../purgeArgs';
import type {
  IngestMetricsInput,
  IngestMetricsRow,
  IngestMetricsStore,
  MergeLatencySketches,
  PurgeResult,
} from '../types';
import { deleteMatching } from './deleteMatching';
import { allEntities } from './firstPage';
import { statusOf } from './tableErrors';

const MAX_ATTEMPTS = 8;

/**
 * PartitionKey = UTC minute, RowKey = Event Hub partition. Only the instance that owns an Event Hub partition
 * writes its rows, so the optimistic read-modify-write (ETag) almost never conflicts; a conflict just retries.
 */
export class TableIngestMetricsStore implements IngestMetricsStore {
  constructor(
    private readonly client: () => Promise<TableClient>,
    private readonly merge?: MergeLatencySketches,
  ) {}

  record(input: IngestMetricsInput): Promise<void> {
    return this.recordAll([input]);
  }

  async recordAll(inputs: readonly IngestMetricsInput[]): Promise<void> {
    const rows = new Map<string, { partitionKey: string; rowKey: string; inputs: IngestMetricsInput[] }>();
    for (const input of inputs) {
      const partitionKey = minuteKey(Date.parse(normalizeIso('at', input.at)));
      const rowKey = encodeKey(String(input.partition));
      const row = rows.get(`${partitionKey}\u0000${rowKey}`) ?? { partitionKey, rowKey, inputs: [] };
      row.inputs.push(input);
      rows.set(`${partitionKey}\u0000${rowKey}`, row);
    }
    const client = await this.client();
    await Promise.all([...rows.values()].map((row) => this.fold(client, row.partitionKey, row.rowKey, row.inputs)));
  }

  private async fold(
    client: TableClient,
    partitionKey: string,
    rowKey: string,
    inputs: readonly IngestMetricsInput[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let existing: TableEntityResult<Record<string, unknown>> | undefined;
      try {
        existing = await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      const row = inputs.reduce<IngestMetricsRow | undefined>(
        (acc, input) => accumulateMetrics(acc, input, this.merge),
        existing && toRow(existing),
      );
      if (!row) return;
      const { latencySketches, filteredMissing, breakdown, ...counters } = row;
      const entity = {
        partitionKey,
        rowKey,
        ...counters,
        filteredMissing: JSON.stringify(filteredMissing),
        breakdown: JSON.stringify(breakdown),
        ...splitText('latencySketches', JSON.stringify(latencySketches)),
      };
      try {
        if (existing) await client.updateEntity(entity, 'Replace', { etag: existing.etag });
        else await client.createEntity(entity);
        return;
      } catch (error) {
        const status = statusOf(error);
        if ((status !== 409 && status !== 412) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async recent(sinceMs: number): Promise<IngestMetricsRow[]> {
    const rows = await allEntities(await this.client(), odata`PartitionKey ge ${minuteKey(sinceMs)}`);
    return rows.map(toRow);
  }

  /** A PartitionKey range: whole minutes before the cutoff's minute. */
  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`PartitionKey lt ${minuteKey(purgeBeforeMs(beforeMs))}`, limit);
  }
}

function toRow(e: Record<string, unknown>): IngestMetricsRow {
  return {
    minute: String(e.minute),
    partition: String(e.partition),
    eventsIn: Number(e.eventsIn),
    aggregated: Number(e.aggregated),
    filtered: Number(e.filtered),
    // Rows written before this column existed have none.
    filteredMissing:
      typeof e.filteredMissing === 'string' ? (JSON.parse(e.filteredMissing) as Record<string, number>) : {},
    breakdown: typeof e.breakdown === 'string' ? (JSON.parse(e.breakdown) as Record<string, number>) : {},
    deadLettered: Number(e.deadLettered),
    entityOperations: Number(e.entityOperations),
    processingMs: Number(e.processingMs),
    retried: Number(e.retried ?? 0),
    poison: Number(e.poison ?? 0),
    replayed: Number(e.replayed ?? 0),
    replayDuplicates: Number(e.replayDuplicates ?? 0),
    duplicatesSuppressed: Number(e.duplicatesSuppressed ?? 0),
    revisions: Number(e.revisions ?? 0),
    lateWithdrawn: Number(e.lateWithdrawn ?? 0),
    batches: Number(e.batches),
    latencySketches: JSON.parse(joinText('latencySketches', e)) as string[],
    sketchesDropped: Number(e.sketchesDropped ?? 0),
  };
}
