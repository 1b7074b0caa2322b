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
 * 100 rows per partition, page by page as the scan goes (a long scan that is cut short has still deleted what it
 * passed, and memory stays one page). Bounded so that a timer run finishes; `more` says a next call has rows to
 * delete. A row that is already gone (another deleter raced us) is not an error: its transaction is redone row by
 * row, ignoring 404. Deleting rows behind the scan is safe: continuation tokens are key positions.
 */
export async function deleteMatching(
  client: TableClient,
  filter: string | undefined,
  limit: number,
): Promise<PurgeResult> {
  const max = purgeLimit(limit);
  let deleted = 0;
  const pages = client
    .listEntities<Record<string, unknown>>({
      queryOptions: { ...(filter ? { filter } : {}), select: ['partitionKey', 'rowKey'] },
    })
    .byPage({ maxPageSize: 1000 });
  for await (const page of pages) {
    const keys = page.map((e) => ({ partitionKey: String(e.partitionKey), rowKey: String(e.rowKey) }));
    const take = keys.slice(0, max - deleted);
    await deleteKeys(client, take);
    deleted += take.length;
    if (take.length < keys.length) return { deleted, more: true };
    if (deleted === max) {
      // Full exactly at a page boundary: more only if the scan has another matching row (the service may return
      // empty pages with a continuation token, e.g. at a scan's time limit, so look past them).
      for (let next = await pages.next(); !next.done; next = await pages.next())
        if (next.value.length > 0) return { deleted, more: true };
      return { deleted, more: false };
    }
  }
  return { deleted, more: false };
}

async function deleteKeys(
  client: TableClient,
  keys: readonly { partitionKey: string; rowKey: string }[],
): Promise<void> {
  const byPartition = new Map<string, TransactionAction[][]>();
  for (const key of keys) {
    let list = byPartition.get(key.partitionKey);
    if (!list) byPartition.set(key.partitionKey, (list = [[]]));
    let batch = list[list.length - 1] as TransactionAction[];
    if (batch.length === MAX_OPS) list.push((batch = []));
    batch.push(['delete', key]);
  }
  const batches = [...byPartition.values()].flat();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await submit(client, batches[next++] as TransactionAction[]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batches.length) }, worker));
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
