import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

/** A transaction holds at most 100 operations and 4 MiB; stay well below the byte cap (UTF-16 estimate). */
const MAX_OPS = 100;
const MAX_BATCH_CHARS = 1_500_000;

/**
 * Upserts entities with entity-group transactions: grouped by PartitionKey (a transaction is single-partition),
 * duplicate RowKeys collapsed to the last (a transaction rejects repeats), then split by count and size.
 */
export async function submitInBatches(client: TableClient, entities: TableEntity[], mode: 'Replace' | 'Merge'): Promise<void> {
  const byPartition = new Map<string, Map<string, TableEntity>>();
  for (const entity of entities) {
    let rows = byPartition.get(entity.partitionKey);
    if (!rows) byPartition.set(entity.partitionKey, (rows = new Map()));
    rows.set(entity.rowKey, entity);
  }
  const batches: TransactionAction[][] = [];
  for (const rows of byPartition.values()) {
    let batch: TransactionAction[] = [];
    let chars = 0;
    for (const entity of rows.values()) {
      const size = JSON.stringify(entity).length;
      if (batch.length === MAX_OPS || (batch.length > 0 && chars + size > MAX_BATCH_CHARS)) {
        batches.push(batch);
        batch = [];
        chars = 0;
      }
      batch.push(['upsert', entity, mode]);
      chars += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  await Promise.all(batches.map((actions) => client.submitTransaction(actions)));
}
