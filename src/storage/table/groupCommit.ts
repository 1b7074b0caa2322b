import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

import { MAX_TRANSACTION_BYTES } from './submitInBatches';
import { statusOf } from './tableErrors';

const MAX_OPS = 100;

interface Queued {
  entity: TableEntity;
  mode: 'Replace' | 'Merge';
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of single-row upserts (docs/explanation/table-layout.md, "Write rates"): each caller awaits its own row
 * as before (durable when the promise resolves, its error when not), but the rows of one PartitionKey queued while
 * that partition's previous write is in flight go out together as one entity-group transaction (up to 100 rows and
 * MAX_TRANSACTION_BYTES). The stream entities of a process write their catalog and idle-index rows this way: one
 * request per partition per round trip instead of one per operation, with no added delay when the partition is quiet
 * (a lone row is a plain upsert at once).
 *
 * One write in flight per PartitionKey, so two writes of one row never overtake each other (the last one queued
 * wins, as with direct upserts); a RowKey queued twice waits for the next transaction (a transaction rejects
 * repeats). A transaction refused as a whole for a 4xx (one bad row) is retried row by row, so each caller gets its
 * own outcome; any other failure (storage down, throttled) is every queued caller's failure, as it would have been
 * for its own request.
 */
export class TableGroupCommit {
  private readonly queues = new Map<string, Queued[]>();
  private readonly draining = new Set<string>();

  constructor(private readonly client: () => Promise<TableClient>) {}

  upsert(entity: TableEntity, mode: 'Replace' | 'Merge'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const bytes = Buffer.byteLength(JSON.stringify(entity), 'utf8');
      const queue = this.queues.get(entity.partitionKey);
      const item = { entity, mode, bytes, resolve, reject };
      if (queue) queue.push(item);
      else this.queues.set(entity.partitionKey, [item]);
      if (!this.draining.has(entity.partitionKey)) void this.drain(entity.partitionKey);
    });
  }

  private async drain(partitionKey: string): Promise<void> {
    this.draining.add(partitionKey);
    try {
      // Let the rows queued in this turn of the event loop join the first write.
      await Promise.resolve();
      for (;;) {
        const queue = this.queues.get(partitionKey);
        if (!queue || queue.length === 0) break;
        const taken = takeBatch(queue);
        if (queue.length === 0) this.queues.delete(partitionKey);
        await this.write(taken);
      }
    } finally {
      this.draining.delete(partitionKey);
    }
  }

  private async write(rows: Queued[]): Promise<void> {
    let client: TableClient;
    try {
      client = await this.client();
    } catch (error) {
      for (const row of rows) row.reject(error);
      return;
    }
    if (rows.length === 1) return settle(rows[0]!, client.upsertEntity(rows[0]!.entity, rows[0]!.mode));
    const actions: TransactionAction[] = rows.map((r) => ['upsert', r.entity, r.mode]);
    try {
      await client.submitTransaction(actions);
      for (const row of rows) row.resolve();
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
        // One row the service refuses fails the whole transaction: give each row its own answer.
        await Promise.all(rows.map((row) => settle(row, client.upsertEntity(row.entity, row.mode))));
      } else {
        for (const row of rows) row.reject(error);
      }
    }
  }
}

async function settle(row: Queued, write: Promise<unknown>): Promise<void> {
  try {
    await write;
    row.resolve();
  } catch (error) {
    row.reject(error);
  }
}

/** The queue's first rows that fit one transaction: distinct RowKeys, at most MAX_OPS and MAX_TRANSACTION_BYTES. */
function takeBatch(queue: Queued[]): Queued[] {
  const rowKeys = new Set<string>();
  let bytes = 0;
  let n = 0;
  for (const row of queue) {
    if (n === MAX_OPS || rowKeys.has(row.entity.rowKey)) break;
    if (n > 0 && bytes + row.bytes > MAX_TRANSACTION_BYTES) break;
    rowKeys.add(row.entity.rowKey);
    bytes += row.bytes;
    n++;
  }
  return queue.splice(0, Math.max(1, n));
}
