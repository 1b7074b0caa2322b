import { odata, type TableClient } from '@azure/data-tables';

import { decodeStreamKey } from '../../core/streams/streamKey';
import { joinText, splitText } from '../chunkedText';
import { decodeKey, encodeKey } from '../encodeKey';
import { windowRowKey } from '../keys';
import { purgeBeforeMs } from '../purgeArgs';
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
import { deleteMatching } from './deleteMatching';
import { firstPage } from './firstPage';
import { submitInBatches } from './submitInBatches';

/** A row's data as upsert wrote it (the store writes nothing else to the table, so it trusts its own JSON). */
const readData = (e: Record<string, unknown>): WindowRecord['data'] =>
  JSON.parse(joinText('data', e)) as WindowRecord['data'];

/** PartitionKey = encodeStreamKey(pipeline, stream) (through encodeKey, which leaves it unchanged), RowKey = zero-padded window start; data as chunked JSON text. */
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
      data: readData(e),
    }));
  }

  /**
   * By the service's Timestamp (the row's last write): a scan of the table (there is no index on it), returning only
   * expired keys, bounded by `limit` rows per call, and cheap in requests (one per page of up to 1,000 rows).
   */
  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`Timestamp lt ${new Date(purgeBeforeMs(beforeMs))}`, limit);
  }

  async deleteStream(key: string, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`PartitionKey eq ${encodeKey(key)}`, limit);
  }

  /** ONE query: a PartitionKey range over the pipeline's encodeStreamKey keys, plus the RowKey window bounds. */
  async queryRange(query: WindowRangeQuery): Promise<Page<KeyedWindowRecord>> {
    const { low, high } = windowRange(query);
    const clauses = [odata`PartitionKey ge ${low}`, odata`PartitionKey le ${high}`];
    if (query.from !== undefined) clauses.push(odata`RowKey ge ${windowRowKey(query.from, 'from')}`);
    if (query.to !== undefined) clauses.push(odata`RowKey lt ${windowRowKey(query.to, 'to')}`);
    return firstPage(await this.client(), clauses.join(' and '), query, (e) => {
      const key = decodeKey(e.partitionKey ?? '');
      return {
        key,
        // Every key in the range is `{base64url(pipeline)}.{base64url(stream)}`; '' marks one that is not (never written by the app).
        stream: decodeStreamKey(key)?.stream ?? '',
        start: Number(e.start),
        end: Number(e.end),
        data: readData(e),
      };
    });
  }
}
