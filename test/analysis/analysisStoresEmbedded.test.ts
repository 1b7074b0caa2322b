import { TableClient } from '@azure/data-tables';

import { TableAlertStore } from '../../src/storage/alertStoreTable';
import { TableReportStore } from '../../src/storage/reportStoreTable';
import { startEmbeddedTables } from '../storage/startEmbeddedTables';
import type { TableAzurite } from '../storage/startTableAzurite';
import { defineAnalysisStoresContract } from './analysisStoresContract';

let tables: TableAzurite;
let run = 0;
beforeAll(async () => {
  tables = await startEmbeddedTables();
});
afterAll(async () => {
  await tables?.stop();
});

async function table(name: string): Promise<TableClient> {
  const client = TableClient.fromConnectionString(tables.connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  return client;
}

// The contract memory and Azurite pass, on the local host's embedded table store through the real SDK.
defineAnalysisStoresContract('table (embedded SQLite store)', async () => {
  const id = `a${process.pid}x${++run}`;
  const [reports, alerts] = await Promise.all([table(`${id}Reports`), table(`${id}Alerts`)]);
  return { reports: new TableReportStore(async () => reports), alerts: new TableAlertStore(async () => alerts) };
});
