import { startEmbeddedTables } from './startEmbeddedTables';
import { startTableAzurite, type TableAzurite } from './startTableAzurite';

export interface TableServers {
  azurite(): TableAzurite;
  embedded(): TableAzurite;
  /** Both, named as the tests name them. */
  readonly each: ReadonlyArray<readonly [string, () => TableAzurite]>;
}

/** Starts Azurite's table service and the embedded SQLite store before the file's tests and stops them after. */
export function useTableServers(): TableServers {
  let azurite: TableAzurite | undefined;
  let embedded: TableAzurite | undefined;
  beforeAll(async () => {
    [azurite, embedded] = await Promise.all([startTableAzurite(), startEmbeddedTables()]);
  });
  afterAll(async () => {
    await Promise.all([azurite?.stop(), embedded?.stop()]);
  });
  const started = (server: TableAzurite | undefined, name: string): TableAzurite => {
    if (!server) throw new Error(`expected ${name} started by beforeAll, found none`);
    return server;
  };
  const servers: TableServers = {
    azurite: () => started(azurite, 'Azurite'),
    embedded: () => started(embedded, 'the embedded table store'),
    each: [
      ['Azurite', () => servers.azurite()],
      ['embedded SQLite store', () => servers.embedded()],
    ],
  };
  return servers;
}
