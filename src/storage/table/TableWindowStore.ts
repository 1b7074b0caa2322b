import { odata, type TableClient } from '@azure/data-tables';

import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import { windowRowKey } from '../keys';
import type { Page, WindowQuery, WindowRecord, WindowStore } from '../types';
import { firstPage } from './firstPage';
import { submitInBatches } from './submitInBatches';

/** PartitionKey = encoded "{pipeline}|{stream}", RowKey = zero-padded window start; data as chunked JSON text. */
export class TableWindowStore implements WindowStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async upsert(key: string, windows: WindowRecord[]): Promise<void> {
    if (windows.length === 0) return;
    const partitionKey = encodeKey(key);
    const entities = windows.map((w) => ({
      partitionKey,
      rowKey: windowRowKey(w.start),
      start: w.start,
      end: w.end,
      ...splitText('data', JSON.stringify(w.data) ?? 'null'),
    }));
    await submitInBatches(await this.client(), entities, 'Replace');
  }

  async query(key: string, options: WindowQuery = {}): Promise<Page<WindowRecord>> {
    const clauses = [odata`PartitionKey eq ${encodeKey(key)}`];
    if (options.from !== undefined) clauses.push(odata`RowKey ge ${windowRowKey(options.from, 'from')}`);
    if (options.to !== undefined) clauses.push(odata`RowKey lt ${windowRowKey(options.to, 'to')}`);
    return firstPage(await this.client(), clauses.join(' and '), options, (e) => ({
      start: Number(e.start),
      end: Number(e.end),
      data: JSON.parse(joinText('data', e)) as unknown,
    }));
  }
}
