import { odata, type TableClient } from '@azure/data-tables';

import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import { windowVersionRange, windowVersionRowKey, windowVersionStartsRange } from '../keys';
import { purgeBeforeMs } from '../purgeArgs';
import type { Page, PageOptions, PurgeResult, WindowVersionRecord, WindowVersionStore } from '../types';
import { deleteMatching } from './deleteMatching';
import { firstPage } from './firstPage';
import { submitInBatches } from './submitInBatches';

/**
 * PartitionKey = the stream's key (as the Windows table), RowKey = window start "." zero-padded version: one window's
 * versions are one RowKey range, and a stream's are one partition. `data` as chunked JSON text (the 64 KiB property
 * limit), as in the Windows table.
 */
export class TableWindowVersionStore implements WindowVersionStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async put(key: string, records: WindowVersionRecord[]): Promise<void> {
    if (records.length === 0) return;
    const partitionKey = encodeKey(key);
    const entities = records.map((r) => ({
      partitionKey,
      rowKey: windowVersionRowKey(r.start, r.version),
      start: r.start,
      version: r.version,
      ...splitText('data', JSON.stringify(r.data) ?? 'null'),
    }));
    await submitInBatches(await this.client(), entities, 'Replace');
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

  private async rows(
    key: string,
    { low, high }: { low: string; high: string },
    options: PageOptions,
  ): Promise<Page<WindowVersionRecord>> {
    const filter = [odata`PartitionKey eq ${encodeKey(key)}`, odata`RowKey ge ${low}`, odata`RowKey lt ${high}`];
    return firstPage(await this.client(), filter.join(' and '), options, (e) => ({
      start: Number(e.start),
      version: Number(e.version),
      data: JSON.parse(joinText('data', e)) as WindowVersionRecord['data'],
    }));
  }

  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`Timestamp lt ${new Date(purgeBeforeMs(beforeMs))}`, limit);
  }

  async deleteStream(key: string, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`PartitionKey eq ${encodeKey(key)}`, limit);
  }
}
