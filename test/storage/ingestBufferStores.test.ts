import { createMemoryStores, createStores } from '../../src/storage/createStores';
import { defineIngestBufferContract } from './ingestBufferContract';
import { startEmbeddedTables } from './startEmbeddedTables';
import { startTableAzurite, type TableAzurite } from './startTableAzurite';

let azurite: TableAzurite;
let embedded: TableAzurite;
let run = 0;

beforeAll(async () => {
  [azurite, embedded] = await Promise.all([startTableAzurite(), startEmbeddedTables()]);
});

afterAll(async () => {
  await Promise.all([azurite?.stop(), embedded?.stop()]);
});

defineIngestBufferContract('memory', async () => createMemoryStores().ingestBuffer);
defineIngestBufferContract(
  'table (Azurite)',
  async () =>
    createStores({ AzureWebJobsStorage: azurite.connectionString }, { tablePrefix: `b${process.pid}x${++run}` })
      .ingestBuffer,
);
defineIngestBufferContract(
  'table (embedded SQLite store)',
  async () =>
    createStores({ AzureWebJobsStorage: embedded.connectionString }, { tablePrefix: `b${process.pid}x${++run}` })
      .ingestBuffer,
);
