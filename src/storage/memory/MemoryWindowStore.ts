import { decodeStreamKey } from '../../core/streams/streamKey';
import { windowRowKey } from '../keys';
import { pageSize } from '../pageSize';
import { purgeBeforeMs, purgeLimit } from '../purgeArgs';
import type {
  KeyedWindowRecord,
  Page,
  PurgeResult,
  WindowQuery,
  WindowRangeQuery,
  WindowRecord,
  WindowStore,
} from '../types';
import { windowRange } from '../windowRange';
import { copyJson } from './copyJson';
import { deleteKeys } from './deleteKeys';
import { paginate } from './paginate';
import { purgePartitioned, rowsBetween } from './purgePartitioned';

export class MemoryWindowStore implements WindowStore {
  private readonly partitions = new Map<string, Map<string, WindowRecord>>();
  /** When each row was last written (key -> rowKey -> epoch ms), as the Table service's Timestamp. */
  private readonly written = new Map<string, Map<string, number>>();

  constructor(private readonly clock: () => number = Date.now) {}

  async upsert(key: string, windows: WindowRecord[]): Promise<void> {
    const rows = windows.map((w) => ({
      rowKey: windowRowKey(w.start),
      window: { start: w.start, end: w.end, data: copyJson('data', w.data) },
    }));
    let partition = this.partitions.get(key);
    if (!partition) this.partitions.set(key, (partition = new Map()));
    let written = this.written.get(key);
    if (!written) this.written.set(key, (written = new Map()));
    const at = this.clock();
    for (const { rowKey, window } of rows) {
      partition.set(rowKey, window);
      written.set(rowKey, at);
    }
  }

  async query(key: string, options: WindowQuery = {}): Promise<Page<WindowRecord>> {
    pageSize(options.limit);
    const from = options.from === undefined ? undefined : windowRowKey(options.from, 'from');
    const to = options.to === undefined ? undefined : windowRowKey(options.to, 'to');
    return paginate(
      rowsBetween(this.partitions.get(key), from, to, (w) => copyJson('data', w)),
      options,
    );
  }

  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    const cutoff = purgeBeforeMs(beforeMs);
    return purgePartitioned(
      this.partitions,
      (key, rk) => (this.written.get(key)?.get(rk) ?? 0) < cutoff,
      limit,
      (key, partition) => this.forget(key, partition),
    );
  }

  async deleteStream(key: string, limit: number): Promise<PurgeResult> {
    purgeLimit(limit);
    const partition = this.partitions.get(key);
    if (!partition) return { deleted: 0, more: false };
    const result = deleteKeys(partition, () => true, limit);
    this.forget(key, partition);
    return result;
  }

  /** Drops the write times of deleted rows, and the partition once empty. */
  private forget(key: string, partition: Map<string, WindowRecord>): void {
    const written = this.written.get(key);
    for (const rk of [...(written?.keys() ?? [])]) if (!partition.has(rk)) written?.delete(rk);
    if (partition.size === 0) {
      this.partitions.delete(key);
      this.written.delete(key);
    }
  }

  /** The same selection and order as the Table store's PartitionKey range: compared on encoded keys. */
  async queryRange(query: WindowRangeQuery): Promise<Page<KeyedWindowRecord>> {
    pageSize(query.limit);
    const { low, high, prefix } = windowRange(query);
    const from = query.from === undefined ? undefined : windowRowKey(query.from, 'from');
    const to = query.to === undefined ? undefined : windowRowKey(query.to, 'to');
    const rows: { pk: string; rk: string; item: KeyedWindowRecord }[] = [];
    for (const [key, partition] of this.partitions) {
      // Keys are encodeStreamKey output, which encodeKey leaves as it is: the PartitionKey itself.
      const pk = key;
      const stream = decodeStreamKey(key)?.stream;
      if (stream === undefined || !key.startsWith(prefix) || pk < low || pk > high) continue;
      for (const [rk, w] of partition) {
        if ((from === undefined || rk >= from) && (to === undefined || rk < to)) {
          rows.push({ pk, rk, item: { key, stream, ...copyJson('data', w) } });
        }
      }
    }
    rows.sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : a.rk < b.rk ? -1 : a.rk > b.rk ? 1 : 0));
    return paginate(
      rows.map((r) => r.item),
      query,
    );
  }
}
