import { windowVersionRange, windowVersionRowKey, windowVersionStartsRange } from '../keys';
import { pageSize } from '../pageSize';
import { purgeBeforeMs, purgeLimit } from '../purgeArgs';
import type { Page, PageOptions, PurgeResult, WindowVersionRecord, WindowVersionStore } from '../types';
import { copyJson } from './copyJson';
import { deleteKeys } from './deleteKeys';
import { paginate } from './paginate';

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
    const rows = [...(this.partitions.get(key) ?? new Map<string, WindowVersionRecord>()).entries()]
      .filter(([rk]) => rk >= low && rk < high)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => copyJson('data', r));
    return paginate(rows, options);
  }

  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    const cutoff = purgeBeforeMs(beforeMs);
    let left = purgeLimit(limit);
    let deleted = 0;
    let more = false;
    for (const key of [...this.partitions.keys()].sort()) {
      const partition = this.partitions.get(key) as Map<string, WindowVersionRecord>;
      const expired = (rk: string) => (this.written.get(`${key}\u0000${rk}`) ?? 0) < cutoff;
      if (left === 0) {
        more ||= [...partition.keys()].some(expired);
        continue;
      }
      const result = deleteKeys(partition, expired, left);
      deleted += result.deleted;
      left -= result.deleted;
      more ||= result.more;
      if (partition.size === 0) this.partitions.delete(key);
    }
    return { deleted, more };
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
