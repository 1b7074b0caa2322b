import { TableClient } from '@azure/data-tables';

import { classifyError } from '../../src/functions/shared/storageFaults';
import { submitInBatches } from '../../src/storage/table/submitInBatches';
import { useTableServers } from './useTableServers';

const servers = useTableServers();
let run = 0;

for (const [name, server] of servers.each) {
  describe(`submitInBatches, hand-built transactions (${name})`, () => {
    async function freshTable(): Promise<TableClient> {
      const client = TableClient.fromConnectionString(server().connectionString, `ut${process.pid}x${++run}`, {
        allowInsecureConnection: true,
      });
      await client.createTable();
      return client;
    }

    it('writes rows with awkward keys and every plain value type, read back as written; Replace drops old columns, Merge keeps them', async () => {
      const client = await freshTable();
      const keys = ["it's", 'a b', '100%', 'é€😀', '(x)', '~!*', 'a+b=c&d', "''"];
      await submitInBatches(
        client,
        keys.map((k, i) => ({
          partitionKey: `p ${keys[0]}`,
          rowKey: k,
          text: `t${k}`,
          n: i,
          half: i + 0.5,
          yes: i % 2 === 0,
          old: 'x',
        })),
        'Replace',
      );
      for (const [i, k] of keys.entries())
        expect(await client.getEntity(`p ${keys[0]}`, k)).toMatchObject({
          text: `t${k}`,
          n: i,
          half: i + 0.5,
          yes: i % 2 === 0,
          old: 'x',
        });
      await submitInBatches(client, [{ partitionKey: `p ${keys[0]}`, rowKey: keys[1] as string, n: 10 }], 'Replace');
      await submitInBatches(client, [{ partitionKey: `p ${keys[0]}`, rowKey: keys[2] as string, n: 20 }], 'Merge');
      const replaced = await client.getEntity(`p ${keys[0]}`, keys[1] as string);
      const merged = await client.getEntity(`p ${keys[0]}`, keys[2] as string);
      expect([replaced['n'], replaced['old']]).toEqual([10, undefined]);
      expect([merged['n'], merged['old']]).toEqual([20, 'x']);
    });

    it('a row the service refuses fails the whole transaction with its 4xx status (a permanent fault), writing none of it', async () => {
      const client = await freshTable();
      const error = await submitInBatches(
        client,
        [
          { partitionKey: 'p', rowKey: 'fine', v: 'x' },
          { partitionKey: 'p', rowKey: 'too-large', v: 'x'.repeat(40_000) },
        ],
        'Replace',
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ statusCode: expect.any(Number) });
      expect((error as { statusCode: number }).statusCode).toBeGreaterThanOrEqual(400);
      expect((error as { statusCode: number }).statusCode).toBeLessThan(500);
      expect(classifyError(error)).toBe('permanent');
      const rows = [];
      for await (const e of client.listEntities()) rows.push(e.rowKey);
      expect(rows).toEqual([]);
    });
  });
}
