import type { TableClient, TransactionAction } from '@azure/data-tables';

import { purgeLimit } from '../purgeArgs';
import type { PurgeResult } from '../types';
import { statusOf } from './tableErrors';

/** A transaction holds at most 100 operations, all in one partition. */
const MAX_OPS = 100;
/** Transactions in flight at once, so a large purge does not open hundreds of requests together. */
const CONCURRENCY = 8;

/**
 * Deletes at most `limit` entities matching `filter` (only their keys are read), in entity-group transactions of up to
 * 100 rows per partition. Bounded so that a timer run finishes; `more` says a next call has rows to delete. A row that
 * is already gone (another deleter raced us) is not an error: its transaction is redone row by row, ignoring 404.
 */
export async function deleteMatching(client: TableClient, filter: string | undefined, limit: number): Promise<PurgeResult> {
  const max = purgeLimit(limit);
  const keys: { partitionKey: string; rowKey: string }[] = [];
  let more = false;
  const pages = client
    .listEntities<Record<string, unknown>>({ queryOptions: { ...(filter ? { filter } : {}), select: ['partitionKey', 'rowKey'] } })
    .byPage({ maxPageSize: 1000 });
  for await (const page of pages) {
    for (const e of page) {
      if (keys.length === max) {
        more = true;
        break;
      }
      keys.push({ partitionKey: String(e.partitionKey), rowKey: String(e.rowKey) });
    }
    if (more) break;
  }
  const batches: TransactionAction[][] = [];
  const byPartition = new Map<string, TransactionAction[][]>();
  for (const key of keys) {
    let list = byPartition.get(key.partitionKey);
    if (!list) byPartition.set(key.partitionKey, (list = [[]]));
    let batch = list[list.length - 1] as TransactionAction[];
    if (batch.length === MAX_OPS) list.push((batch = []));
    batch.push(['delete', key]);
  }
  for (const list of byPartition.values()) batches.push(...list);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await submit(client, batches[next++] as TransactionAction[]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batches.length) }, worker));
  return { deleted: keys.length, more };
}

async function submit(client: TableClient, actions: TransactionAction[]): Promise<void> {
  try {
    await client.submitTransaction(actions);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    for (const [, entity] of actions) {
      try {
        await client.deleteEntity(entity.partitionKey, entity.rowKey);
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
      }
    }
  }
}
