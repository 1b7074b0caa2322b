import { devAccountKey, devAccountName } from '../../local-host/azurite/startAzurite';
import { startTableServer } from '../../local-host/tables/tableServer';
import type { TableAzurite } from './startTableAzurite';

/** The local host's embedded table store (SQLite in memory) on a free port, reached like Azurite: by connection string. */
export async function startEmbeddedTables(): Promise<TableAzurite> {
  const server = await startTableServer({ file: ':memory:', port: 0 });
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${server.tableUrl};`,
    stop: () => server.stop(),
  };
}
