import { odata, type TableClient } from '@azure/data-tables';

import { encodeKey } from '../encodeKey';
import type { StreamActivity, StreamActivityStore } from '../types';
import { TableGroupCommit } from './groupCommit';
import { statusOf } from './tableErrors';

/** flushDue as stored: a fixed-width ISO time, or "never" (which sorts after every ISO time), so `le` is a range scan. */
const NEVER = 'never';
const dueText = (due: number | null): string => (due === null ? NEVER : new Date(due).toISOString());

/**
 * PartitionKey = encoded pipeline, RowKey = encoded stream; `due` is one filter on flushDue across the table. Rows are
 * written by group commit (groupCommit.ts): one transaction per pipeline per round trip, not one request per row.
 */
export class TableStreamActivityStore implements StreamActivityStore {
  private readonly commit: TableGroupCommit;

  constructor(private readonly client: () => Promise<TableClient>) {
    this.commit = new TableGroupCommit(client);
  }

  async record(row: StreamActivity): Promise<void> {
    await this.commit.upsert(
      {
        partitionKey: encodeKey(row.pipeline),
        rowKey: encodeKey(row.stream),
        pipeline: row.pipeline,
        stream: row.stream,
        lastActivity: new Date(row.lastActivity).toISOString(),
        openWindows: row.openWindows,
        idleTimeoutMs: row.idleTimeoutMs,
        flushDue: dueText(row.flushDue),
      },
      'Replace',
    );
  }

  async due(now: number, limit: number): Promise<StreamActivity[]> {
    const client = await this.client();
    const out: StreamActivity[] = [];
    const rows = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`flushDue le ${dueText(now)}` },
    });
    for await (const e of rows) {
      const flushDue = Date.parse(String(e['flushDue']));
      out.push({
        pipeline: String(e['pipeline']),
        stream: String(e['stream']),
        lastActivity: Date.parse(String(e['lastActivity'])),
        openWindows: Number(e['openWindows']),
        idleTimeoutMs: Number(e['idleTimeoutMs']),
        flushDue: Number.isFinite(flushDue) ? flushDue : null,
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async remove(pipeline: string, stream: string): Promise<void> {
    try {
      await (await this.client()).deleteEntity(encodeKey(pipeline), encodeKey(stream));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}
