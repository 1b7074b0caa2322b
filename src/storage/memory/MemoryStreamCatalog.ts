import { encodeKey } from '../encodeKey';
import { pageSize } from '../pageSize';
import { streamEntry } from '../streamEntry';
import type { Page, StreamCatalog, StreamCatalogEntry, StreamCatalogQuery } from '../types';
import { paginate } from './paginate';

export class MemoryStreamCatalog implements StreamCatalog {
  private readonly rows = new Map<string, StreamCatalogEntry>();

  async touch(entries: StreamCatalogEntry[]): Promise<void> {
    const valid = entries.map(streamEntry);
    for (const entry of valid) this.rows.set(sortKey(entry), entry);
  }

  async list(options: StreamCatalogQuery = {}): Promise<Page<StreamCatalogEntry>> {
    pageSize(options.limit);
    const rows = [...this.rows.entries()]
      .filter(
        ([, e]) =>
          (options.pipeline === undefined || e.pipeline === options.pipeline) &&
          e.stream.startsWith(options.prefix ?? ''),
      )
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, e]) => ({ ...e }));
    return paginate(rows, options);
  }

  async remove(pipeline: string, stream: string): Promise<boolean> {
    return this.rows.delete(sortKey({ pipeline, stream }));
  }
}

// Same order as the Table store: encoded pipeline (PartitionKey) then encoded stream (RowKey).
function sortKey(e: Pick<StreamCatalogEntry, 'pipeline' | 'stream'>): string {
  return `${encodeKey(e.pipeline)}\u0000${encodeKey(e.stream)}`;
}
