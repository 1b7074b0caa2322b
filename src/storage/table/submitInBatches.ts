import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

/**
 * A transaction holds at most 100 operations and 4 MiB of request body, counted in bytes: entities are measured by the
 * UTF-8 bytes of their JSON (multi-byte text is up to 3 bytes per UTF-16 unit; JSON escapes are counted as sent), with
 * 1 MiB left for the multipart envelope and the SDK's type annotations.
 */
const MAX_OPS = 100;
export const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;

/**
 * Upserts entities with entity-group transactions: grouped by PartitionKey (a transaction is single-partition),
 * duplicate RowKeys collapsed to the last (a transaction rejects repeats), then split by count and size.
 */
export async function submitInBatches(
  client: TableClient,
  entities: TableEntity[],
  mode: 'Replace' | 'Merge',
): Promise<void> {
  const byPartition = new Map<string, Map<string, TableEntity>>();
  for (const entity of entities) {
    let rows = byPartition.get(entity.partitionKey);
    if (!rows) byPartition.set(entity.partitionKey, (rows = new Map()));
    rows.set(entity.rowKey, entity);
  }
  const batches: TransactionAction[][] = [];
  for (const rows of byPartition.values()) {
    let batch: TransactionAction[] = [];
    let bytes = 0;
    for (const entity of rows.values()) {
      const size = Buffer.byteLength(JSON.stringify(entity), 'utf8');
      if (batch.length === MAX_OPS || (batch.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(['upsert', entity, mode]);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  await Promise.all(batches.map((actions) => client.submitTransaction(actions)));
}
