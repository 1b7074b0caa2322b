import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';

import { joinText, splitText } from '../chunkedText';
import { decodeContinuationToken, encodeContinuationToken, isTableSdkToken } from '../continuationToken';
import { deadLetterRow } from '../deadLetterRow';
import { dayKey, deadLetterPartitionKey, deadLetterRowKey, hourKey, prefixEnd } from '../keys';
import { normalizeIso } from '../normalizeIso';
import { pageSize } from '../pageSize';
import { StorageInputError } from '../StorageInputError';
import type {
  DeadLetterKey,
  DeadLetterQuery,
  DeadLetterRecord,
  DeadLetterReplay,
  DeadLetterStore,
  Page,
  PurgeResult,
} from '../types';
import { deleteMatching } from './deleteMatching';
import { submitInBatches } from './submitInBatches';
import { statusOf } from './tableErrors';

/**
 * PartitionKey = UTC hour of enqueuedTime | encoded Event Hubs partition ("2024-05-01T10|3"), so the writes of a busy
 * hour spread over one table partition per Event Hubs partition (each written by the one instance reading it), and
 * `since` skips whole earlier hours with a PartitionKey range;
 * RowKey = partition|padded sequence number|pipeline, so a redelivered batch rewrites the same rows.
 * Rows of the older layout (PartitionKey = UTC day, "2024-05-01") are still listed and purged: they sort before every
 * hour of their day, and a `since` query reads the old day partition of its day first (see {@link query}).
 */
export class TableDeadLetterStore implements DeadLetterStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async add(records: DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const entities = records.map(deadLetterRow).map(({ rowKey, record }) => {
      const { raw, replay, ...rest } = record;
      return {
        partitionKey: deadLetterPartitionKey(record.enqueuedTime, record.partition),
        rowKey,
        ...rest,
        ...(replay ? { replay: JSON.stringify(replay) } : {}),
        ...splitText('raw', raw),
      };
    });
    await submitInBatches(await this.client(), entities, 'Replace');
  }

  /**
   * Without `since`: one scan in PartitionKey order. With `since`: two phases in one opaque token, in PartitionKey
   * order too - first the old-layout partition of since's day (a point query; empty once the old rows have expired),
   * then the range from since's hour on. A plain `PartitionKey ge day` range would also read every hour of that day
   * before since (filtered out server-side, but read), an `or` of both would not be a range query at all.
   */
  async query(options: DeadLetterQuery = {}): Promise<Page<DeadLetterRecord>> {
    const maxPageSize = pageSize(options.limit);
    const extra: string[] = [];
    if (options.reason !== undefined) extra.push(odata`reason eq ${options.reason}`);
    const client = await this.client();
    if (options.since === undefined) {
      const token = options.continuationToken === undefined ? undefined : cursor(options.continuationToken);
      if (token && token.phase !== 1) throw badToken(options.continuationToken);
      return this.page(client, extra.length ? extra.join(' and ') : undefined, maxPageSize, 1, token?.sdk);
    }
    const since = normalizeIso('since', options.since);
    const timeClause = odata`enqueuedTime ge ${since}`;
    const hourly = (): string => [odata`PartitionKey ge ${hourKey(since)}`, timeClause, ...extra].join(' and ');
    const state = options.continuationToken === undefined ? { phase: 0 as const } : cursor(options.continuationToken);
    if (state.phase === 0) {
      const filter = [odata`PartitionKey eq ${dayKey(since)}`, timeClause, ...extra].join(' and ');
      const page = await this.page(client, filter, maxPageSize, 0, state.sdk);
      if (page.continuationToken) return page;
      // The old partition is done: fill the rest of the page from the hourly range.
      if (page.items.length === maxPageSize)
        return { items: page.items, continuationToken: encodeContinuationToken(JSON.stringify({ phase: 1 })) };
      const rest = await this.page(client, hourly(), maxPageSize - page.items.length, 1, undefined);
      return { ...rest, items: [...page.items, ...rest.items] };
    }
    return this.page(client, hourly(), maxPageSize, 1, state.sdk);
  }

  private async page(
    client: TableClient,
    filter: string | undefined,
    maxPageSize: number,
    phase: 0 | 1,
    sdk: string | undefined,
  ): Promise<Page<DeadLetterRecord>> {
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} })
      .byPage({ maxPageSize, continuationToken: sdk });
    const { value, done } = await pages.next();
    if (done || !value) return { items: [] };
    const items = value.map(toRecord);
    return value.continuationToken
      ? { items, continuationToken: encodeContinuationToken(JSON.stringify({ phase, sdk: value.continuationToken })) }
      : { items };
  }

  async purge(before: string, limit: number): Promise<PurgeResult> {
    const cutoff = normalizeIso('before', before);
    // The PartitionKey bound makes it a range (old day rows of earlier days and of the cutoff's day sort below it);
    // enqueuedTime makes it exact.
    return deleteMatching(
      await this.client(),
      [odata`PartitionKey lt ${prefixEnd(`${hourKey(cutoff)}|`)}`, odata`enqueuedTime lt ${cutoff}`].join(' and '),
      limit,
    );
  }

  async deleteStream(pipeline: string, stream: string, limit: number): Promise<PurgeResult> {
    return deleteMatching(await this.client(), odata`pipeline eq ${pipeline} and stream eq ${stream}`, limit);
  }

  /** A delete per row (an event's row: no stream in its key); a row already gone (404) is skipped. */
  async withdraw(keys: DeadLetterKey[]): Promise<void> {
    const client = await this.client();
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(
        keys.slice(i, i + 32).map(async (k) => {
          try {
            await client.deleteEntity(
              deadLetterPartitionKey(normalizeIso('enqueuedTime', k.enqueuedTime), k.partition),
              deadLetterRowKey(k.partition, k.sequenceNumber, k.pipeline),
            );
          } catch (error) {
            if (statusOf(error) !== 404) throw error;
          }
        }),
      );
    }
  }

  /** A Merge update per row (one column, `replay`, as JSON); a row gone meanwhile (404) is skipped. */
  async markReplayed(records: DeadLetterRecord[], replay: DeadLetterReplay): Promise<void> {
    const client = await this.client();
    const value = JSON.stringify(replay);
    for (let i = 0; i < records.length; i += 32) {
      await Promise.all(
        records.slice(i, i + 32).map(async (r) => {
          const partitionKey = deadLetterPartitionKey(normalizeIso('enqueuedTime', r.enqueuedTime), r.partition);
          const rowKey = deadLetterRowKey(
            r.partition,
            r.sequenceNumber,
            r.pipeline,
            r.reason === 'storage' ? (r.stream ?? '') : undefined,
          );
          try {
            await client.updateEntity({ partitionKey, rowKey, replay: value }, 'Merge');
          } catch (error) {
            if (statusOf(error) !== 404) throw error;
          }
        }),
      );
    }
  }
}

interface Cursor {
  phase: 0 | 1;
  sdk?: string;
}

function cursor(token: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeContinuationToken(token));
  } catch (error) {
    if (error instanceof StorageInputError) throw error;
  }
  const c = parsed as Partial<Cursor> | undefined;
  // The inner SDK token must be one the Table SDK can read (junk in it made the SDK throw: a 500, not a 400).
  if (
    c &&
    (c.phase === 0 || c.phase === 1) &&
    (c.sdk === undefined || (typeof c.sdk === 'string' && isTableSdkToken(c.sdk)))
  )
    return { phase: c.phase, ...(c.sdk !== undefined ? { sdk: c.sdk } : {}) };
  throw badToken(token);
}

const badToken = (token: string | undefined) =>
  new StorageInputError(
    'continuationToken',
    `continuationToken: expected a token returned by a previous page of this query, found ${JSON.stringify(String(token).slice(0, 40))}`,
  );

function toRecord(e: TableEntityResult<Record<string, unknown>>): DeadLetterRecord {
  return {
    raw: joinText('raw', e),
    reason: String(e.reason),
    detail: String(e.detail),
    partition: String(e.partition),
    sequenceNumber: Number(e.sequenceNumber),
    enqueuedTime: String(e.enqueuedTime),
    recordedAt: String(e.recordedAt),
    ...(typeof e.pipeline === 'string' ? { pipeline: e.pipeline } : {}),
    ...(typeof e.pipelineVersion === 'number' ? { pipelineVersion: e.pipelineVersion } : {}),
    ...(typeof e.stream === 'string' ? { stream: e.stream } : {}),
    ...(e.rawTruncated === true ? { rawTruncated: true } : {}),
    ...(typeof e.replay === 'string' ? { replay: JSON.parse(e.replay) as DeadLetterReplay } : {}),
  };
}
