import { odata, type TableClient } from '@azure/data-tables';

import { encodeKey } from '../encodeKey';
import { prefixEnd } from '../keys';
import { streamEntry } from '../streamEntry';
import type { Page, StreamCatalog, StreamCatalogEntry, StreamCatalogQuery } from '../types';
import { firstPage } from './firstPage';
import { TableGroupCommit } from './groupCommit';
import { statusOf } from './tableErrors';

/**
 * PartitionKey = encoded pipeline, RowKey = encoded stream (prefix-preserving, so prefixes are RowKey ranges). Rows
 * are written by group commit: the rows of one pipeline touched while its previous write is in flight go out as one
 * transaction.
 */
export class TableStreamCatalog implements StreamCatalog {
  private readonly commit: TableGroupCommit;

  constructor(private readonly client: () => Promise<TableClient>) {
    this.commit = new TableGroupCommit(client);
  }

  async touch(entries: StreamCatalogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const entities = entries
      .map(streamEntry)
      .map((e) => ({ partitionKey: encodeKey(e.pipeline), rowKey: encodeKey(e.stream), ...e }));
    await Promise.all(entities.map((entity) => this.commit.upsert(entity, 'Merge')));
  }

  async list(options: StreamCatalogQuery = {}): Promise<Page<StreamCatalogEntry>> {
    const clauses: string[] = [];
    if (options.pipeline !== undefined) clauses.push(odata`PartitionKey eq ${encodeKey(options.pipeline)}`);
    if (options.prefix) {
      const prefix = encodeKey(options.prefix);
      clauses.push(odata`RowKey ge ${prefix}`, odata`RowKey lt ${prefixEnd(prefix)}`);
    }
    return firstPage(await this.client(), clauses.length ? clauses.join(' and ') : undefined, options, (e) => ({
      pipeline: String(e.pipeline),
      stream: String(e.stream),
      lastSeen: String(e.lastSeen),
      events: Number(e.events),
      eventsPerSec: Number(e.eventsPerSec),
    }));
  }

  async remove(pipeline: string, stream: string): Promise<boolean> {
    try {
      await (await this.client()).deleteEntity(encodeKey(pipeline), encodeKey(stream));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }
}
