import { alertIdentity } from '../alertIdentity';
import { normalizeIso } from '../normalizeIso';
import type { AlertQuery, AlertRecord, AlertStore, Page, PurgeResult } from '../types';
import { deleteKeys } from './deleteKeys';
import { paginate } from './paginate';

/** In-process AlertStore with the Table store's behaviour. */
export class MemoryAlertStore implements AlertStore {
  private readonly rows = new Map<string, string>();
  /** When each alert was stored (identity -> epoch ms), as the Table service's Timestamp. */
  private readonly written = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  async insertNew(alerts: AlertRecord[]): Promise<AlertRecord[]> {
    const inserted: AlertRecord[] = [];
    for (const a of alerts) {
      const id = alertIdentity(a);
      if (this.rows.has(id)) continue;
      this.rows.set(id, JSON.stringify(a));
      this.written.set(id, this.clock());
      inserted.push(a);
    }
    return inserted;
  }

  async query(options: AlertQuery = {}): Promise<Page<AlertRecord>> {
    const since = options.since === undefined ? undefined : Date.parse(normalizeIso('since', options.since));
    const matches = [...this.rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, json]) => JSON.parse(json) as AlertRecord)
      .filter(
        (a) =>
          (since === undefined || Date.parse(a.windowStart) >= since) &&
          (options.pipeline === undefined || a.pipeline === options.pipeline) &&
          (options.stream === undefined || a.stream === options.stream),
      );
    return paginate(matches, options);
  }

  async purge(before: string, limit: number): Promise<PurgeResult> {
    const cutoff = Date.parse(normalizeIso('before', before));
    const result = deleteKeys(this.rows, (id) => (this.written.get(id) ?? 0) < cutoff, limit);
    for (const id of [...this.written.keys()]) if (!this.rows.has(id)) this.written.delete(id);
    return result;
  }
}
