import { createStores } from '../../src/storage/createStores';
import { startTableAzurite, type TableAzurite } from './startTableAzurite';
import { defineStoresContract } from './storesContract';

let azurite: TableAzurite;
let run = 0;

beforeAll(async () => {
  azurite = await startTableAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

// A fresh set of tables per test (unique prefix) on one real Azurite.
defineStoresContract('table (Azurite)', async (options) =>
  createStores({ AzureWebJobsStorage: azurite.connectionString }, { tablePrefix: `t${process.pid}x${++run}`, ...options }),
);
