import type { TableClient } from '@azure/data-tables';

import { replayRowKeys } from '../replayKey';
import type { ReplayClaim, ReplayKey, ReplayLedgerStore } from '../types';
import { statusOf } from './tableErrors';

/**
 * The replay ledger: PartitionKey = encoded original partition, RowKey = padded original sequence number | encoded
 * pipeline. A claim is an insert (createEntity), so of two deliveries claiming one dead letter exactly one wins; the
 * loser reads the winner's row. Release deletes on the etag of a row it read as its own.
 */
export class TableReplayLedgerStore implements ReplayLedgerStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async claim(claims: ReplayClaim[]): Promise<ReplayClaim[]> {
    const client = await this.client();
    return Promise.all(
      claims.map(async (c) => {
        const keys = replayRowKeys(c);
        try {
          await client.createEntity({
            ...keys,
            partition: c.partition,
            sequenceNumber: c.sequenceNumber,
            pipeline: c.pipeline,
            byPartition: c.by.partition,
            bySequenceNumber: c.by.sequenceNumber,
            at: c.at,
          });
          return c;
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
          const held = await this.read(client, c);
          // Released between the insert and the read: try once more.
          if (held) return held;
          return (await this.claim([c]))[0] as ReplayClaim;
        }
      }),
    );
  }

  async get(keys: ReplayKey[]): Promise<(ReplayClaim | undefined)[]> {
    const client = await this.client();
    return Promise.all(keys.map((k) => this.read(client, k)));
  }

  async release(claims: ReplayClaim[]): Promise<void> {
    const client = await this.client();
    await Promise.all(
      claims.map(async (c) => {
        const keys = replayRowKeys(c);
        let etag: string | undefined;
        try {
          const row = await client.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
          if (String(row['byPartition']) !== c.by.partition || Number(row['bySequenceNumber']) !== c.by.sequenceNumber)
            return;
          etag = row.etag;
          await client.deleteEntity(keys.partitionKey, keys.rowKey, { etag });
        } catch (error) {
          const status = statusOf(error);
          // Gone, or claimed anew since it was read: either way it is not ours to delete.
          if (status !== 404 && status !== 412) throw error;
        }
      }),
    );
  }

  private async read(client: TableClient, key: ReplayKey): Promise<ReplayClaim | undefined> {
    const keys = replayRowKeys(key);
    try {
      const row = await client.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
      return {
        partition: String(row['partition']),
        sequenceNumber: Number(row['sequenceNumber']),
        pipeline: String(row['pipeline']),
        by: { partition: String(row['byPartition']), sequenceNumber: Number(row['bySequenceNumber']) },
        at: String(row['at']),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}
