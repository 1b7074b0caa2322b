import { createStores } from '../../src/storage/createStores';
import { defineReportAlertContract } from './reportAlertContract';
import { startEmbeddedTables } from './startEmbeddedTables';
import type { TableAzurite } from './startTableAzurite';
import { defineStoresContract } from './storesContract';

let tables: TableAzurite;
let run = 0;

beforeAll(async () => {
  tables = await startEmbeddedTables();
});

afterAll(async () => {
  await tables?.stop();
});

// The same contract as memory and Azurite, through the real @azure/data-tables client, on the local host's table store.
defineStoresContract('table (embedded SQLite store)', async (options) =>
  createStores(
    { AzureWebJobsStorage: tables.connectionString },
    { tablePrefix: `t${process.pid}x${++run}`, ...options },
  ),
);
defineReportAlertContract('table (embedded SQLite store)', async () =>
  createStores({ AzureWebJobsStorage: tables.connectionString }, { tablePrefix: `a${process.pid}x${++run}` }),
);
