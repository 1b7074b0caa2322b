import type { HttpClient } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

import { type PlainEntity, submitUpsertTransaction, toWireEntity, type WireEntity } from './upsertTransaction';

/**
 * A transaction holds at most 100 operations and 4 MiB of request body, counted in bytes: entities are measured by the
 * UTF-8 bytes of their JSON as sent (multi-byte text is up to 3 bytes per UTF-16 unit; JSON escapes are counted as
 * sent), with 1 MiB left for the multipart envelope.
 */
const MAX_OPS = 100;
export const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;

/**
 * Upserts entities with entity-group transactions (upsertTransaction.ts): grouped by PartitionKey (a transaction is
 * single-partition), duplicate RowKeys collapsed to the last (a transaction rejects repeats), then split by count and
 * size. Each entity is serialized once.
 */
export async function submitInBatches(
  client: TableClient,
  entities: readonly PlainEntity[],
  mode: 'Replace' | 'Merge',
  httpClient?: HttpClient,
): Promise<void> {
  const byPartition = new Map<string, Map<string, PlainEntity>>();
  for (const entity of entities) {
    let rows = byPartition.get(entity.partitionKey);
    if (!rows) byPartition.set(entity.partitionKey, (rows = new Map()));
    rows.set(entity.rowKey, entity);
  }
  const batches: WireEntity[][] = [];
  for (const rows of byPartition.values()) {
    let batch: WireEntity[] = [];
    let bytes = 0;
    for (const entity of rows.values()) {
      const wire = toWireEntity(entity);
      const size = Buffer.byteLength(wire.json, 'utf8');
      if (batch.length === MAX_OPS || (batch.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(wire);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  await Promise.all(batches.map((rows) => submitUpsertTransaction(client, rows, mode, httpClient)));
}
