import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';

import { resolveTableConnection, type TableConnection } from './resolveTableConnection';
import { tableRequestCounter } from './tableRequestCounts';

// One created-and-ensured client per (connection, table) for the process lifetime: createTable is a round trip we
// only want once, and concurrent first uses share the same promise.
const clients = new Map<string, Promise<TableClient>>();

/** A TableClient for `tableName` on the app's storage account, creating the table on first use. */
export function tableClientFor(tableName: string, env: NodeJS.ProcessEnv = process.env): Promise<TableClient> {
  const connection = resolveTableConnection(env);
  const cacheKey = `${connectionId(connection)}\n${tableName}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = ensureTable(newClient(connection, tableName, env));
    clients.set(cacheKey, client);
    // A failed create (storage not up yet) must not poison the cache.
    client.catch(() => clients.delete(cacheKey));
  }
  return client;
}

function newClient(connection: TableConnection, tableName: string, env: NodeJS.ProcessEnv): TableClient {
  // Request counts for benchmarks (tableRequestCounts.ts); no policy at all when the setting is off.
  const counter = tableRequestCounter(tableName, env);
  const additionalPolicies = counter ? { additionalPolicies: [counter] } : {};
  if (connection.kind === 'connectionString') {
    return TableClient.fromConnectionString(connection.connectionString, tableName, {
      allowInsecureConnection: connection.allowInsecureConnection,
      ...additionalPolicies,
    });
  }
  const credential = new DefaultAzureCredential(
    connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
  );
  return new TableClient(connection.endpoint, tableName, credential, additionalPolicies);
}

async function ensureTable(client: TableClient): Promise<TableClient> {
  await client.createTable(); // the SDK treats "already exists" as success
  return client;
}

function connectionId(connection: TableConnection): string {
  return connection.kind === 'connectionString'
    ? connection.connectionString
    : `${connection.endpoint}#${connection.clientId ?? ''}`;
}
