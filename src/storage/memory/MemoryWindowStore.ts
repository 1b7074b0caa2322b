import { windowRowKey } from '../keys';
import { pageSize } from '../pageSize';
import type { Page, WindowQuery, WindowRecord, WindowStore } from '../types';
import { copyJson } from './copyJson';
import { paginate } from './paginate';

export class MemoryWindowStore implements WindowStore {
  private readonly partitions = new Map<string, Map<string, WindowRecord>>();

  async upsert(key: string, windows: WindowRecord[]): Promise<void> {
    const rows = windows.map((w) => ({ rowKey: windowRowKey(w.start), window: { start: w.start, end: w.end, data: copyJson('data', w.data) } }));
    let partition = this.partitions.get(key);
    if (!partition) this.partitions.set(key, (partition = new Map()));
    for (const { rowKey, window } of rows) partition.set(rowKey, window);
  }

  async query(key: string, options: WindowQuery = {}): Promise<Page<WindowRecord>> {
    pageSize(options.limit);
    const from = options.from === undefined ? undefined : windowRowKey(options.from, 'from');
    const to = options.to === undefined ? undefined : windowRowKey(options.to, 'to');
    const rows = [...(this.partitions.get(key) ?? new Map<string, WindowRecord>()).entries()]
      .filter(([rk]) => (from === undefined || rk >= from) && (to === undefined || rk < to))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, w]) => copyJson('data', w));
    return paginate(rows, options);
  }
}
