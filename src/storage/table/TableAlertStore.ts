import { odata, type TableClient } from '@azure/data-tables';

import { encodeKey } from '../encodeKey';
import { dayKey, windowRowKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import type { AlertQuery, AlertRecord, AlertStore, Page, PurgeResult } from '../types';
import { deleteMatching } from './deleteMatching';
import { firstPage } from './firstPage';
import { statusOf } from './tableErrors';

/**
 * PartitionKey = UTC day of windowStart; RowKey = zero-padded windowStart ms | pipeline | stream | kind
 * (encoded), so RowKey order is time order and the RowKey is the alert's identity. insertNew uses
 * createEntity: the service's 409 on an existing key is the "already raised" answer, atomic per alert.
 */
export class TableAlertStore implements AlertStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async insertNew(alerts: AlertRecord[]): Promise<AlertRecord[]> {
    const client = await this.client();
    const inserted = await Promise.all(
      alerts.map(async (a) => {
        const ms = Date.parse(a.windowStart);
        const entity = {
          partitionKey: dayKey(new Date(ms).toISOString()),
          rowKey: `${windowRowKey(ms, 'windowStart')}|${encodeKey(a.pipeline)}|${encodeKey(a.stream)}|${a.kind}`,
          windowStartMs: ms,
          pipeline: a.pipeline,
          stream: a.stream,
          json: JSON.stringify(a),
        };
        try {
          await client.createEntity(entity);
          return a;
        } catch (error) {
          if (statusOf(error) === 409) return undefined;
          throw error;
        }
      }),
    );
    return inserted.filter((a): a is AlertRecord => a !== undefined);
  }

  async query(options: AlertQuery = {}): Promise<Page<AlertRecord>> {
    const clauses: string[] = [];
    if (options.since !== undefined) {
      const since = normalizeIso('since', options.since);
      clauses.push(odata`PartitionKey ge ${dayKey(since)}`, odata`windowStartMs ge ${Date.parse(since)}`);
    }
    if (options.pipeline !== undefined) clauses.push(odata`pipeline eq ${options.pipeline}`);
    if (options.stream !== undefined) clauses.push(odata`stream eq ${options.stream}`);
    return firstPage(
      await this.client(),
      clauses.length ? clauses.join(' and ') : undefined,
      options,
      (e) => JSON.parse(String(e.json)) as AlertRecord,
    );
  }

  /** By the service's Timestamp (rows are only ever created, so it is when the alert was raised): a scan of the table. */
  async purge(before: string, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`Timestamp lt ${new Date(normalizeIso('before', before))}`, limit);
  }
}
