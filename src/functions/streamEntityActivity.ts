import { odata, type TableClient } from '@azure/data-tables';

import { encodeStreamKey } from '../core';
import { encodeKey, tableClientFor } from '../storage';
import { statusOf } from '../storage/table/tableErrors';

/**
 * The idle index: one row per stream entity with open windows and an idle timeout, saying when the idle flush may
 * close them. Written by the stream entity (which alone knows its processing-time lastSeen and live windows), read by
 * the flushIdleStreams timer with one range query, so the timer touches only streams that are due.
 * Kept in its own table (StreamActivity) next to the Streams catalog, whose rows the API serves as they are.
 */
export interface StreamActivity {
  pipeline: string;
  stream: string;
  /** Epoch ms of the entity's last merge (processing time). */
  lastActivity: number;
  /** Live windows (committed and pending) when the row was written. */
  openWindows: number;
  /** The pipeline's idleTimeout at the stream's last merge; 0 = off. */
  idleTimeoutMs: number;
  /**
   * When the timer should signal `flush`: the earlier of lastActivity + idleTimeoutMs (while windows are open and the
   * timeout is on) and, while the stream's catalog row misses events, its last write + CATALOG_REFRESH_MS; null when
   * neither (never due). May be early (the entity then changes nothing and rewrites the row), never late.
   */
  flushDue: number | null;
}

export interface StreamActivityStore {
  record(row: StreamActivity): Promise<void>;
  /** Rows whose flushDue <= now, at most `limit` (the rest come on the next run). */
  due(now: number, limit: number): Promise<StreamActivity[]>;
  /** Deletes a stream's row (the stream was erased); no error when there is none. */
  remove(pipeline: string, stream: string): Promise<void>;
}

export const STREAM_ACTIVITY_TABLE = 'StreamActivity';

/** flushDue as stored: a fixed-width ISO time, or "never" (which sorts after every ISO time), so `le` is a range scan. */
const NEVER = 'never';
const dueText = (due: number | null): string => (due === null ? NEVER : new Date(due).toISOString());

export class MemoryStreamActivityStore implements StreamActivityStore {
  readonly rows = new Map<string, StreamActivity>();

  async record(row: StreamActivity): Promise<void> {
    this.rows.set(encodeStreamKey(row.pipeline, row.stream), { ...row });
  }

  async due(now: number, limit: number): Promise<StreamActivity[]> {
    return [...this.rows.values()].filter((r) => r.flushDue !== null && r.flushDue <= now).slice(0, limit).map((r) => ({ ...r }));
  }

  async remove(pipeline: string, stream: string): Promise<void> {
    this.rows.delete(encodeStreamKey(pipeline, stream));
  }
}

export class TableStreamActivityStore implements StreamActivityStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async record(row: StreamActivity): Promise<void> {
    const client = await this.client();
    await client.upsertEntity(
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
    const rows = client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`flushDue le ${dueText(now)}` } });
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

/** The Table-backed index on the app's storage account (the same settings as the other tables). */
export function createStreamActivityStore(env: NodeJS.ProcessEnv = process.env, tablePrefix = ''): StreamActivityStore {
  return new TableStreamActivityStore(() => tableClientFor(tablePrefix + STREAM_ACTIVITY_TABLE, env));
}
