import { TableClient } from '@azure/data-tables';

import { MemoryAlertStore } from '../../src/storage/alertStoreMemory';
import { TableAlertStore } from '../../src/storage/alertStoreTable';
import { MemoryReportStore } from '../../src/storage/reportStoreMemory';
import { TableReportStore } from '../../src/storage/reportStoreTable';
import { startTableAzurite, type TableAzurite } from '../storage/startTableAzurite';
import { defineAnalysisStoresContract } from './analysisStoresContract';

defineAnalysisStoresContract('memory', async () => ({ reports: new MemoryReportStore(), alerts: new MemoryAlertStore() }));

let azurite: TableAzurite;
let run = 0;
beforeAll(async () => {
  azurite = await startTableAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function table(name: string): Promise<TableClient> {
  const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  return client;
}

// Fresh tables per test on one real Azurite.
defineAnalysisStoresContract('table (Azurite)', async () => {
  const id = `a${process.pid}x${++run}`;
  // Created up front so no request is still in flight when Azurite stops.
  const [reports, alerts] = await Promise.all([table(`${id}Reports`), table(`${id}Alerts`)]);
  return { reports: new TableReportStore(async () => reports), alerts: new TableAlertStore(async () => alerts) };
});
