import { encodeStreamKey } from '../../src/core/streams';
import { encodeKey } from '../../src/storage/encodeKey';
import { migrateWindowKeys } from '../../src/storage/table/migrateWindowKeys';
import { TableWindowStore } from '../../src/storage/table/TableWindowStore';
import { tableClientFor } from '../../src/storage/tableClientFor';
import { closedWindowRow } from '../support/closedWindowRow';
import { startTableAzurite, type TableAzurite } from './startTableAzurite';

let azurite: TableAzurite;

beforeAll(async () => {
  azurite = await startTableAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

describe('migrateWindowKeys (Azurite)', () => {
  it('moves legacy {pipeline}|{stream} rows to encodeStreamKey, keeps rows written since, skips impossible names, and is restartable', async () => {
    const client = await tableClientFor(`mig${process.pid}Windows`, { AzureWebJobsStorage: azurite.connectionString });
    const store = new TableWindowStore(async () => client);
    const legacy = (pipeline: string, stream: string, start: number, events: number) =>
      client.createEntity({
        partitionKey: encodeKey(`${pipeline}|${stream}`),
        rowKey: String(start).padStart(16, '0'),
        start,
        end: start + 1000,
        data: JSON.stringify({ events }),
      });
    // The legacy store wrote its rows exactly like this: encodeKey of "{pipeline}|{stream}" (here "room/1" became "room%2F1").
    await legacy('temps', 'room/1', 0, 1);
    await legacy('temps', 'room/1', 1000, 2);
    await legacy('temps', 'a|b', 0, 3);
    await legacy('temps', 'x'.repeat(300), 0, 4);
    // A window the new entity already wrote under the new key wins over its legacy copy.
    await store.upsert(encodeStreamKey('temps', 'a|b'), [closedWindowRow(0, 1000, { events: 30 })]);

    expect(await migrateWindowKeys(client, { dryRun: true })).toMatchObject({ moved: 3, superseded: 0 });
    expect((await store.query(encodeStreamKey('temps', 'room/1'))).items).toEqual([]);

    const first = await migrateWindowKeys(client);
    expect(first).toEqual({
      moved: 2,
      superseded: 1,
      skipped: [
        {
          partitionKey: `temps|${'x'.repeat(300)}`,
          reason: 'expected a stream key of at most 256 UTF-8 bytes, found 300',
        },
      ],
    });
    expect((await store.query(encodeStreamKey('temps', 'room/1'))).items).toEqual([
      { start: 0, end: 1000, data: { events: 1 } },
      { start: 1000, end: 2000, data: { events: 2 } },
    ]);
    expect((await store.query(encodeStreamKey('temps', 'a|b'))).items).toEqual([
      closedWindowRow(0, 1000, { events: 30 }),
    ]);
    expect((await store.query('temps|room/1')).items).toEqual([]);
    // A second run finds only the skipped partition.
    expect(await migrateWindowKeys(client)).toEqual({ moved: 0, superseded: 0, skipped: first.skipped });
  });
});
