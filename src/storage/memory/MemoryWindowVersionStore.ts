import { windowVersionRange, windowVersionRowKey, windowVersionStartsRange } from '../keys';
import { pageSize } from '../pageSize';
import { purgeBeforeMs, purgeLimit } from '../purgeArgs';
import type { Page, PageOptions, PurgeResult, WindowVersionRecord, WindowVersionStore } from '../types';
import { copyJson } from './copyJson';
import { deleteKeys } from './deleteKeys';
import { paginate } from './paginate';
import { purgePartitioned, rowsBetween } from './purgePartitioned';

/** Rows by key then RowKey, as the Table store (windowVersionRowKey), with their write times for purge. */
export class MemoryWindowVersionStore implements WindowVersionStore {
  private readonly partitions = new Map<string, Map<string, WindowVersionRecord>>();
  private readonly written = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  async put(key: string, records: WindowVersionRecord[]): Promise<void> {
    const rows = records.map((r) => ({ rowKey: windowVersionRowKey(r.start, r.version), record: copyJson('data', r) }));
    let partition = this.partitions.get(key);
    if (!partition) this.partitions.set(key, (partition = new Map()));
    const at = this.clock();
    for (const { rowKey, record } of rows) {
      partition.set(rowKey, record);
      this.written.set(`${key}\u0000${rowKey}`, at);
    }
  }

  async list(key: string, start: number, options: PageOptions = {}): Promise<Page<WindowVersionRecord>> {
    return this.rows(key, windowVersionRange(start), options);
  }

  async listRange(
    key: string,
    from: number,
    to: number,
    options: PageOptions = {},
  ): Promise<Page<WindowVersionRecord>> {
    return this.rows(key, windowVersionStartsRange(from, to), options);
  }

  private rows(
    key: string,
    { low, high }: { low: string; high: string },
    options: PageOptions,
  ): Page<WindowVersionRecord> {
    pageSize(options.limit);
    return paginate(
      rowsBetween(this.partitions.get(key), low, high, (r) => copyJson('data', r)),
      options,
    );
  }

  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    const cutoff = purgeBeforeMs(beforeMs);
    return purgePartitioned(
      this.partitions,
      (key, rk) => (this.written.get(`${key}\u0000${rk}`) ?? 0) < cutoff,
      limit,
      (key, partition) => {
        if (partition.size === 0) this.partitions.delete(key);
      },
    );
  }

  async deleteStream(key: string, limit: number): Promise<PurgeResult> {
    purgeLimit(limit);
    const partition = this.partitions.get(key);
    if (!partition) return { deleted: 0, more: false };
    const result = deleteKeys(partition, () => true, limit);
    if (partition.size === 0) this.partitions.delete(key);
    return result;
  }
}
