import { TableClient } from '@azure/data-tables';

import { createStores } from '../../src/storage/createStores';
import { closedWindowRow } from '../support/closedWindowRow';
import { defineReportAlertContract } from './reportAlertContract';
import { defineStoresContract } from './storesContract';
import { useTableServers } from './useTableServers';

const servers = useTableServers();
let run = 0;

// A fresh set of tables per test (unique prefix) on one real Azurite.
defineStoresContract('table (Azurite)', async (options) =>
  createStores(
    { AzureWebJobsStorage: servers.azurite().connectionString },
    { tablePrefix: `t${process.pid}x${++run}`, ...options },
  ),
);
defineReportAlertContract('table (Azurite)', async () =>
  createStores(
    { AzureWebJobsStorage: servers.azurite().connectionString },
    { tablePrefix: `a${process.pid}x${++run}` },
  ),
);

// Layout and races, on Azurite and on the local host's embedded store alike.
for (const [name, store] of servers.each) {
  describe(`table (${name}): dead-letter layout`, () => {
    const record = (sequenceNumber: number, enqueuedTime: string, partition = '0') => ({
      raw: `{"n":${sequenceNumber}}`,
      reason: 'schema',
      detail: 'd',
      partition,
      sequenceNumber,
      enqueuedTime,
      recordedAt: enqueuedTime,
    });

    async function setUp() {
      const prefix = `t${process.pid}dl${++run}`;
      const stores = createStores({ AzureWebJobsStorage: store().connectionString }, { tablePrefix: prefix });
      const client = TableClient.fromConnectionString(store().connectionString, `${prefix}DeadLetters`, {
        allowInsecureConnection: true,
      });
      await client.createTable();
      return { stores, client };
    }

    it('keys each row by (UTC hour, Event Hubs partition), so an hour of writes spreads over one table partition per Event Hubs partition', async () => {
      const { stores, client } = await setUp();
      await stores.deadLetters.add([
        record(1, '2024-05-01T10:00:00Z', '0'),
        record(2, '2024-05-01T10:59:00Z', '0'),
        record(1, '2024-05-01T10:30:00Z', 'a/b'),
        record(3, '2024-05-01T11:00:00Z', '0'),
      ]);
      const keys: string[] = [];
      for await (const e of client.listEntities()) keys.push(`${e.partitionKey} ${e.rowKey}`);
      expect(keys).toEqual([
        '2024-05-01T10|0 0|00000000000000000001|',
        '2024-05-01T10|0 0|00000000000000000002|',
        '2024-05-01T10|a%2Fb a%2Fb|00000000000000000001|',
        '2024-05-01T11|0 0|00000000000000000003|',
      ]);
    });

    it('still lists and purges rows of the older day-keyed layout, in day order among the hourly rows', async () => {
      const { stores, client } = await setUp();
      // Rows as the day-keyed store wrote them (PartitionKey = UTC day), next to rows of the hourly layout.
      for (const [seq, time] of [
        [101, '2024-05-01T08:00:00.000Z'],
        [102, '2024-05-01T12:00:00.000Z'],
        [103, '2024-05-02T01:00:00.000Z'],
      ] as const) {
        const { raw, ...rest } = record(seq, time);
        await client.createEntity({
          partitionKey: time.slice(0, 10),
          rowKey: `0|${String(seq).padStart(20, '0')}|`,
          ...rest,
          raw,
        });
      }
      await stores.deadLetters.add([
        record(1, '2024-05-01T09:00:00Z'),
        record(2, '2024-05-01T13:00:00Z'),
        record(3, '2024-05-02T00:30:00Z'),
      ]);
      const seqs = async (query: { since?: string; limit?: number }) => {
        const out: number[] = [];
        let continuationToken: string | undefined;
        do {
          const page = await stores.deadLetters.query({ ...query, continuationToken });
          out.push(...page.items.map((r) => r.sequenceNumber));
          continuationToken = page.continuationToken;
        } while (continuationToken);
        return out;
      };
      for (const limit of [1, 2, 100]) {
        expect(await seqs({ limit })).toEqual([101, 102, 1, 2, 103, 3]);
        expect(await seqs({ since: '2024-05-01T10:00:00Z', limit })).toEqual([102, 2, 103, 3]);
        expect(await seqs({ since: '2024-05-02T00:45:00Z', limit })).toEqual([103]);
      }
      expect((await stores.deadLetters.query({ since: '2024-05-01T10:00:00Z' })).items[0]).toMatchObject({
        raw: '{"n":102}',
        enqueuedTime: '2024-05-01T12:00:00.000Z',
      });
      expect(await stores.deadLetters.purge('2024-05-01T12:30:00Z', 100)).toEqual({ deleted: 3, more: false });
      expect(await seqs({})).toEqual([2, 103, 3]);
    });
  });

  describe(`table (${name}): concurrent deletes`, () => {
    it('two deletes racing over the same rows both succeed, and every row is gone (a row already deleted is not an error)', async () => {
      const stores = createStores(
        { AzureWebJobsStorage: store().connectionString },
        { tablePrefix: `t${process.pid}race${++run}` },
      );
      const windows = Array.from({ length: 450 }, (_, i) => closedWindowRow(i * 1000, (i + 1) * 1000, { events: i }));
      await stores.windows.upsert('temps|racy', windows);
      const [a, b] = await Promise.all([
        stores.windows.deleteStream('temps|racy', 1000),
        stores.windows.deleteStream('temps|racy', 1000),
      ]);
      expect([a?.more, b?.more]).toEqual([false, false]);
      expect((await stores.windows.query('temps|racy')).items).toEqual([]);
    });
  });
}
