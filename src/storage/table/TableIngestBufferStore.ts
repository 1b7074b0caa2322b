import { randomUUID } from 'node:crypto';

import { odata, type TableClient } from '@azure/data-tables';

import { joinText, MAX_TEXT_CHARS, splitText } from '../chunkedText';
import { decodeKey, encodeKey } from '../encodeKey';
import type { BufferedBatch, BufferMark, IngestBufferStore } from '../types';
import { submitInBatches } from './submitInBatches';
import { statusOf } from './tableErrors';
import type { PlainEntity } from './upsertTransaction';

const MARK = 'mark';
/** Batch rows sort by firstSequence: fixed width (sequence numbers are below 2^63, 19 digits). */
const seqKey = (n: number): string => String(n).padStart(20, '0');
const partKey = (first: number, part: number): string => `b${seqKey(first)}-${String(part).padStart(4, '0')}`;

/**
 * PartitionKey = encoded Event Hubs partition. A batch is one row, or `parts` rows when its payload exceeds one
 * entity (about 900 KB of text), written in entity-group transactions (one when they fit in 4 MiB). Every part carries
 * the write's id: a batch is listed only when all its parts come from one write, so a write cut short by a crash is
 * not read until the redelivery rewrites it. The mark row is written with ETag checks.
 */
export class TableIngestBufferStore implements IngestBufferStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async put(batch: BufferedBatch): Promise<void> {
    const pieces: string[] = [];
    for (let i = 0; i < batch.payload.length || pieces.length === 0; i += MAX_TEXT_CHARS)
      pieces.push(batch.payload.slice(i, i + MAX_TEXT_CHARS));
    const writeId = randomUUID();
    const rows: PlainEntity[] = pieces.map((piece, part) => ({
      partitionKey: encodeKey(batch.partition),
      rowKey: partKey(batch.firstSequence, part),
      firstSequence: batch.firstSequence,
      lastSequence: batch.lastSequence,
      bufferedAt: batch.bufferedAt,
      parts: pieces.length,
      part,
      writeId,
      ...splitText('payload', piece),
    }));
    await submitInBatches(await this.client(), rows, 'Replace');
  }

  async list(partition: string): Promise<BufferedBatch[]> {
    const client = await this.client();
    const byFirst = new Map<number, Record<string, unknown>[]>();
    const rows = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${encodeKey(partition)} and RowKey ge 'b' and RowKey lt 'c'` },
    });
    for await (const e of rows) {
      const first = Number(e['firstSequence']);
      let parts = byFirst.get(first);
      if (!parts) byFirst.set(first, (parts = []));
      parts.push(e);
    }
    const out: BufferedBatch[] = [];
    for (const [first, parts] of [...byFirst].sort((a, b) => a[0] - b[0])) {
      const head = parts.find((p) => Number(p['part']) === 0);
      if (!head) continue;
      const count = Number(head['parts']);
      const mine = parts
        .filter((p) => p['writeId'] === head['writeId'])
        .sort((a, b) => Number(a['part']) - Number(b['part']));
      if (mine.length < count) continue;
      out.push({
        partition,
        firstSequence: first,
        lastSequence: Number(head['lastSequence']),
        bufferedAt: Number(head['bufferedAt']),
        payload: mine
          .slice(0, count)
          .map((p) => joinText('payload', p))
          .join(''),
      });
    }
    return out;
  }

  async mark(partition: string): Promise<BufferMark> {
    try {
      const e = await (await this.client()).getEntity<Record<string, unknown>>(encodeKey(partition), MARK);
      const claim =
        typeof e['claimFirst'] === 'number' && typeof e['claimLast'] === 'number'
          ? { firstSequence: e['claimFirst'], lastSequence: e['claimLast'] }
          : null;
      return { flushedThrough: Number(e['flushedThrough']), claim, etag: e.etag };
    } catch (error) {
      if (statusOf(error) === 404) return { flushedThrough: -1, claim: null, etag: null };
      throw error;
    }
  }

  async setMark(partition: string, value: Omit<BufferMark, 'etag'>, etag: string | null): Promise<string | null> {
    const client = await this.client();
    // Absent properties, not nulls, for "no claim": the Table service has no null.
    const entity = {
      partitionKey: encodeKey(partition),
      rowKey: MARK,
      flushedThrough: value.flushedThrough,
      ...(value.claim ? { claimFirst: value.claim.firstSequence, claimLast: value.claim.lastSequence } : {}),
    };
    try {
      const r =
        etag === null ? await client.createEntity(entity) : await client.updateEntity(entity, 'Replace', { etag });
      return r.etag ?? null;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412) return null;
      throw error;
    }
  }

  async remove(partition: string, firstSequences: readonly number[]): Promise<void> {
    if (firstSequences.length === 0) return;
    const client = await this.client();
    const pk = encodeKey(partition);
    const keys: string[] = [];
    for (const first of firstSequences) {
      const rows = client.listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: odata`PartitionKey eq ${pk} and RowKey ge ${partKey(first, 0)} and RowKey lt ${`b${seqKey(first)}.`}`,
          select: ['RowKey'],
        },
      });
      for await (const e of rows) keys.push(String(e.rowKey));
    }
    for (let i = 0; i < keys.length; i += 100) {
      try {
        await client.submitTransaction(
          keys.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey: pk, rowKey }]),
        );
      } catch (error) {
        // A row deleted meanwhile (another flusher) fails the transaction with 404: delete the rest one by one.
        if (statusOf(error) !== 404) throw error;
        for (const rowKey of keys.slice(i, i + 100)) {
          try {
            await client.deleteEntity(pk, rowKey);
          } catch (e2) {
            if (statusOf(e2) !== 404) throw e2;
          }
        }
      }
    }
  }

  async partitions(): Promise<Array<{ partition: string; oldestBufferedAt: number }>> {
    const client = await this.client();
    const oldest = new Map<string, number>();
    const rows = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey lt 'c' and RowKey ge 'b'`, select: ['PartitionKey', 'bufferedAt'] },
    });
    for await (const e of rows) {
      const at = Number(e['bufferedAt']);
      const pk = String(e.partitionKey);
      oldest.set(pk, Math.min(oldest.get(pk) ?? at, at));
    }
    return [...oldest].map(([pk, oldestBufferedAt]) => ({ partition: decodeKey(pk), oldestBufferedAt }));
  }
}
