import { join } from 'node:path';

import {
  type AzuritePorts,
  devAccountKey,
  devAccountName,
  type RunningAzurite,
  startAzurite,
} from '../azurite/startAzurite';
import type { HostSystemError } from '../errors';
import { type RunningTables, startTables } from './startTables';

/** Where the app's Table storage goes locally: the embedded SQLite store (default) or Azurite's own table service. */
export type TableStoreKind = 'embedded' | 'azurite';

export interface StartLocalStorageOptions {
  /** Azurite data under <dataDir>/azurite, the embedded table store in <dataDir>/tables/tables.sqlite. */
  dataDir: string;
  /** Standard emulator ports (10000-10002 unless given), or 0 for free ports. */
  ports: AzuritePorts | 0;
  tables: TableStoreKind;
  /** Called once if Azurite or the table store dies while running (the error says which). */
  onUnexpectedExit?: (err: HostSystemError) => void;
}

export interface RunningLocalStorage {
  tables: TableStoreKind;
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  /** The SQLite file of the embedded table store (absent with `tables: 'azurite'`). */
  tablesFile?: string;
  /** Development-account connection string for these endpoints. */
  connectionString: string;
  /** One line for the log: what serves blob, queue and table, where. */
  description: string;
  stop(): Promise<void>;
}

/**
 * The storage emulator for AzureWebJobsStorage. Blobs and queues always come from Azurite (nothing in Streamfold's
 * local stack uses them, but an app or a real Event Hubs checkpoint store may); tables come from the embedded SQLite
 * store unless `tables: 'azurite'`, because Azurite's table service slows down and finally dies as history grows
 * (docs/explanation/local-table-store.md). Azurite's own table service then listens on a free port nobody uses.
 */
export async function startLocalStorage(options: StartLocalStorageOptions): Promise<RunningLocalStorage> {
  const requested =
    options.ports === 0
      ? { blob: 0, queue: 0, table: 0 }
      : { blob: 10000, queue: 10001, table: 10002, ...options.ports };
  if (options.tables === 'azurite') {
    const azurite = await startAzurite({
      location: join(options.dataDir, 'azurite'),
      ports: requested,
      ...(options.onUnexpectedExit ? { onUnexpectedExit: options.onUnexpectedExit } : {}),
    });
    return {
      ...urlsOf(azurite),
      tables: 'azurite',
      connectionString: azurite.connectionString,
      description: `Azurite (blob ${portOf(azurite.blobUrl)}, queue ${portOf(azurite.queueUrl)}, table ${portOf(azurite.tableUrl)})`,
      stop: () => azurite.stop(),
    };
  }
  const tablesFile = join(options.dataDir, 'tables', 'tables.sqlite');
  const [azurite, tables] = await Promise.allSettled([
    startAzurite({
      location: join(options.dataDir, 'azurite'),
      ports: { blob: requested.blob, queue: requested.queue, table: 0 },
      ...(options.onUnexpectedExit ? { onUnexpectedExit: options.onUnexpectedExit } : {}),
    }),
    startTables({
      file: tablesFile,
      port: requested.table,
      ...(options.onUnexpectedExit ? { onUnexpectedExit: options.onUnexpectedExit } : {}),
    }),
  ]);
  if (azurite.status === 'rejected' || tables.status === 'rejected') {
    await Promise.all([
      azurite.status === 'fulfilled' ? azurite.value.stop() : undefined,
      tables.status === 'fulfilled' ? tables.value.stop() : undefined,
    ]);
    throw azurite.status === 'rejected' ? azurite.reason : (tables as PromiseRejectedResult).reason;
  }
  const a: RunningAzurite = azurite.value;
  const t: RunningTables = tables.value;
  return {
    tables: 'embedded',
    blobUrl: a.blobUrl,
    queueUrl: a.queueUrl,
    tableUrl: t.tableUrl,
    tablesFile,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};BlobEndpoint=${a.blobUrl};QueueEndpoint=${a.queueUrl};TableEndpoint=${t.tableUrl};`,
    description: `Azurite (blob ${portOf(a.blobUrl)}, queue ${portOf(a.queueUrl)}) and the embedded table store (table ${t.port}, SQLite ${tablesFile})`,
    stop: async () => {
      await Promise.all([t.stop(), a.stop()]);
    },
  };
}

function urlsOf(a: RunningAzurite): Pick<RunningLocalStorage, 'blobUrl' | 'queueUrl' | 'tableUrl'> {
  return { blobUrl: a.blobUrl, queueUrl: a.queueUrl, tableUrl: a.tableUrl };
}

const portOf = (url: string): string => new URL(url).port;
