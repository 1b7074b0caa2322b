import { deadLetterRow } from '../deadLetterRow';
import { dayKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import { pageSize } from '../pageSize';
import type { DeadLetterQuery, DeadLetterRecord, DeadLetterStore, Page } from '../types';
import { paginate } from './paginate';

export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly rows = new Map<string, DeadLetterRecord>();

  async add(records: DeadLetterRecord[]): Promise<void> {
    const rows = records.map(deadLetterRow);
    for (const { rowKey, record } of rows) this.rows.set(`${dayKey(record.enqueuedTime)}\n${rowKey}`, record);
  }

  async query(options: DeadLetterQuery = {}): Promise<Page<DeadLetterRecord>> {
    pageSize(options.limit);
    const since = options.since === undefined ? undefined : normalizeIso('since', options.since);
    const rows = [...this.rows.entries()]
      .filter(([, r]) => (since === undefined || r.enqueuedTime >= since) && (options.reason === undefined || r.reason === options.reason))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => ({ ...r }));
    return paginate(rows, options);
  }
}
