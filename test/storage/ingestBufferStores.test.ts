import { createMemoryStores, createStores } from '../../src/storage/createStores';
import { defineIngestBufferContract } from './ingestBufferContract';
import { useTableServers } from './useTableServers';

const servers = useTableServers();
let run = 0;

defineIngestBufferContract('memory', async () => createMemoryStores().ingestBuffer);
defineIngestBufferContract(
  'table (Azurite)',
  async () =>
    createStores(
      { AzureWebJobsStorage: servers.azurite().connectionString },
      { tablePrefix: `b${process.pid}x${++run}` },
    ).ingestBuffer,
);
defineIngestBufferContract(
  'table (embedded SQLite store)',
  async () =>
    createStores(
      { AzureWebJobsStorage: servers.embedded().connectionString },
      { tablePrefix: `b${process.pid}x${++run}` },
    ).ingestBuffer,
);
