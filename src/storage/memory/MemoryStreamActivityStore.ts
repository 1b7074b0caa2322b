import { encodeStreamKey } from '../../core/streams/streamKey';
import type { StreamActivity, StreamActivityStore } from '../types';

/** In-process idle index with the Table store's behaviour. */
export class MemoryStreamActivityStore implements StreamActivityStore {
  /** Rows by the stream's entity key (encodeStreamKey); readable so that tests can look at the index directly. */
  readonly rows = new Map<string, StreamActivity>();

  async record(row: StreamActivity): Promise<void> {
    this.rows.set(encodeStreamKey(row.pipeline, row.stream), { ...row });
  }

  async due(now: number, limit: number): Promise<StreamActivity[]> {
    return [...this.rows.values()]
      .filter((r) => r.flushDue !== null && r.flushDue <= now)
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async remove(pipeline: string, stream: string): Promise<void> {
    this.rows.delete(encodeStreamKey(pipeline, stream));
  }
}
