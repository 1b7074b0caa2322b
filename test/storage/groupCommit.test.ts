import { TableClient } from '@azure/data-tables';

import { devAccountKey, devAccountName } from '../../local-host/azurite/startAzurite';
import { TableGroupCommit } from '../../src/storage/table/groupCommit';
import { useTableServers } from './useTableServers';

const servers = useTableServers();
let run = 0;

for (const [name, store] of servers.each) {
  describe(`TableGroupCommit (${name})`, () => {
    /** A fresh table whose client counts its requests by method + first path segment ($batch or the table). */
    async function setUp() {
      const requests: string[] = [];
      const client = TableClient.fromConnectionString(store().connectionString, `gc${process.pid}x${++run}`, {
        allowInsecureConnection: true,
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'countRequests',
              sendRequest: (request, next) => {
                requests.push(`${request.method} ${new URL(request.url).pathname.split('/').pop() ?? ''}`);
                return next(request);
              },
            },
          },
        ],
      });
      await client.createTable();
      requests.length = 0;
      return { client, requests, commit: new TableGroupCommit(() => Promise.resolve(client)) };
    }

    it('writes the rows of one partition queued while a write is in flight as one transaction, each caller awaiting its row', async () => {
      const { client, requests, commit } = await setUp();
      // 250 rows in one turn: the first transaction takes 100, the rest queue behind it (100, then 50).
      await Promise.all(
        Array.from({ length: 250 }, (_, i) => commit.upsert({ partitionKey: 'p', rowKey: `r${i}`, n: i }, 'Replace')),
      );
      expect(requests).toEqual(['POST $batch', 'POST $batch', 'POST $batch']);
      const rows = [];
      for await (const e of client.listEntities<{ n: number }>()) rows.push(e.n);
      expect(rows.sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    });

    it('keeps one partition per transaction and writes a lone row as a plain upsert', async () => {
      const { client, requests, commit } = await setUp();
      await Promise.all([
        commit.upsert({ partitionKey: 'a', rowKey: 'x', n: 1 }, 'Replace'),
        commit.upsert({ partitionKey: 'a', rowKey: 'y', n: 2 }, 'Replace'),
        commit.upsert({ partitionKey: 'b', rowKey: 'x', n: 3 }, 'Replace'),
      ]);
      expect((await client.getEntity<{ n: number }>('a', 'y')).n).toBe(2);
      expect((await client.getEntity<{ n: number }>('b', 'x')).n).toBe(3);
      expect(requests.slice(0, 2).sort()).toEqual(['POST $batch', expect.stringMatching(/^(PUT|PATCH|MERGE) /)]);
    });

    it('writes a row queued twice in order: the last one queued wins, merges keep the other columns', async () => {
      const { client, commit } = await setUp();
      await Promise.all([
        commit.upsert({ partitionKey: 'p', rowKey: 'r', a: 1, b: 1 }, 'Replace'),
        commit.upsert({ partitionKey: 'p', rowKey: 'r', a: 2 }, 'Merge'),
        commit.upsert({ partitionKey: 'p', rowKey: 'q', a: 5 }, 'Merge'),
        commit.upsert({ partitionKey: 'p', rowKey: 'r', a: 3 }, 'Merge'),
      ]);
      const r = await client.getEntity<{ a: number; b: number }>('p', 'r');
      expect([r.a, r.b]).toEqual([3, 1]);
      expect((await client.getEntity<{ a: number }>('p', 'q')).a).toBe(5);
    });

    it('gives a row the service refuses its own error and still writes the rows queued with it', async () => {
      const { client, commit } = await setUp();
      // A row over the service's 1 MiB entity limit (400), in the same partition and turn as two good rows.
      const results = await Promise.allSettled([
        commit.upsert({ partitionKey: 'p', rowKey: 'ok1', n: 1 }, 'Replace'),
        commit.upsert(
          {
            partitionKey: 'p',
            rowKey: 'bad',
            ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, 'x'.repeat(30_000)])),
          },
          'Replace',
        ),
        commit.upsert({ partitionKey: 'p', rowKey: 'ok2', n: 2 }, 'Replace'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await client.getEntity<{ n: number }>('p', 'ok2')).n).toBe(2);
    });

    it("fails every queued caller when the storage cannot be reached, as each one's own request would", async () => {
      const commit = new TableGroupCommit(() =>
        Promise.resolve(
          TableClient.fromConnectionString(
            // Port 9 (discard): nothing listens there.
            `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=http://127.0.0.1:9/${devAccountName};`,
            'unreachable',
            { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
          ),
        ),
      );
      const results = await Promise.allSettled([
        commit.upsert({ partitionKey: 'p', rowKey: 'a' }, 'Replace'),
        commit.upsert({ partitionKey: 'p', rowKey: 'b' }, 'Replace'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    });
  });
}
