import { odata, type TableClient } from '@azure/data-tables';

import { joinText, splitText } from '../chunkedText';
import { deadLetterRow } from '../deadLetterRow';
import { dayKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import type { DeadLetterQuery, DeadLetterRecord, DeadLetterStore, Page } from '../types';
import { firstPage } from './firstPage';
import { submitInBatches } from './submitInBatches';

/**
 * PartitionKey = UTC day of enqueuedTime ("2024-05-01"), so `since` skips whole earlier days;
 * RowKey = partition|padded sequence number|pipeline, so a redelivered batch rewrites the same rows.
 */
export class TableDeadLetterStore implements DeadLetterStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async add(records: DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const entities = records.map(deadLetterRow).map(({ rowKey, record }) => {
      const { raw, ...rest } = record;
      return { partitionKey: dayKey(record.enqueuedTime), rowKey, ...rest, ...splitText('raw', raw) };
    });
    await submitInBatches(await this.client(), entities, 'Replace');
  }

  async query(options: DeadLetterQuery = {}): Promise<Page<DeadLetterRecord>> {
    const clauses: string[] = [];
    if (options.since !== undefined) {
      const since = normalizeIso('since', options.since);
      clauses.push(odata`PartitionKey ge ${dayKey(since)}`, odata`enqueuedTime ge ${since}`);
    }
    if (options.reason !== undefined) clauses.push(odata`reason eq ${options.reason}`);
    return firstPage(await this.client(), clauses.length ? clauses.join(' and ') : undefined, options, (e) => ({
      raw: joinText('raw', e),
      reason: String(e.reason),
      detail: String(e.detail),
      partition: String(e.partition),
      sequenceNumber: Number(e.sequenceNumber),
      enqueuedTime: String(e.enqueuedTime),
      recordedAt: String(e.recordedAt),
      ...(typeof e.pipeline === 'string' ? { pipeline: e.pipeline } : {}),
      ...(typeof e.stream === 'string' ? { stream: e.stream } : {}),
      ...(e.rawTruncated === true ? { rawTruncated: true } : {}),
    }));
  }
}
