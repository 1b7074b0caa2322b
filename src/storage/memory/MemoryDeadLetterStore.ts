import { deadLetterRow } from '../deadLetterRow';
import { deadLetterPartitionKey, deadLetterRowKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import { pageSize } from '../pageSize';
import type {
  DeadLetterKey,
  DeadLetterQuery,
  DeadLetterRecord,
  DeadLetterReplay,
  DeadLetterStore,
  Page,
  PurgeResult,
} from '../types';
import { deleteKeys } from './deleteKeys';
import { paginate } from './paginate';

export class MemoryDeadLetterStore implements DeadLetterStore {
  /** Keyed "{PartitionKey}\n{RowKey}" as the Table store keys them, so key order is the Table's order. */
  private readonly rows = new Map<string, DeadLetterRecord>();

  async add(records: DeadLetterRecord[]): Promise<void> {
    const rows = records.map(deadLetterRow);
    for (const { rowKey, record } of rows)
      this.rows.set(`${deadLetterPartitionKey(record.enqueuedTime, record.partition)}\n${rowKey}`, record);
  }

  async query(options: DeadLetterQuery = {}): Promise<Page<DeadLetterRecord>> {
    pageSize(options.limit);
    const since = options.since === undefined ? undefined : normalizeIso('since', options.since);
    const rows = [...this.rows.entries()]
      .filter(
        ([, r]) =>
          (since === undefined || r.enqueuedTime >= since) &&
          (options.reason === undefined || r.reason === options.reason),
      )
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => ({ ...r }));
    return paginate(rows, options);
  }

  async purge(before: string, limit: number): Promise<PurgeResult> {
    const cutoff = normalizeIso('before', before);
    return deleteKeys(this.rows, (_k, r) => r.enqueuedTime < cutoff, limit);
  }

  async deleteStream(pipeline: string, stream: string, limit: number): Promise<PurgeResult> {
    return deleteKeys(this.rows, (_k, r) => r.pipeline === pipeline && r.stream === stream, limit);
  }

  async withdraw(keys: DeadLetterKey[]): Promise<void> {
    for (const k of keys)
      this.rows.delete(
        `${deadLetterPartitionKey(normalizeIso('enqueuedTime', k.enqueuedTime), k.partition)}\n${deadLetterRowKey(k.partition, k.sequenceNumber, k.pipeline)}`,
      );
  }

  async markReplayed(records: DeadLetterRecord[], replay: DeadLetterReplay): Promise<void> {
    for (const r of records) {
      const key = `${deadLetterPartitionKey(r.enqueuedTime, r.partition)}\n${deadLetterRowKey(r.partition, r.sequenceNumber, r.pipeline, r.reason === 'storage' ? (r.stream ?? '') : undefined)}`;
      const row = this.rows.get(key);
      if (row) this.rows.set(key, { ...row, replay: JSON.parse(JSON.stringify(replay)) as DeadLetterReplay });
    }
  }
}
