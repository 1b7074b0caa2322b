import { MemoryDeadLetterStore } from './memory/MemoryDeadLetterStore';
import { MemoryIngestMetricsStore } from './memory/MemoryIngestMetricsStore';
import { MemoryPipelineStore } from './memory/MemoryPipelineStore';
import { MemoryStreamCatalog } from './memory/MemoryStreamCatalog';
import { MemoryWindowStore } from './memory/MemoryWindowStore';
import { TableDeadLetterStore } from './table/TableDeadLetterStore';
import { TableIngestMetricsStore } from './table/TableIngestMetricsStore';
import { TablePipelineStore } from './table/TablePipelineStore';
import { TableStreamCatalog } from './table/TableStreamCatalog';
import { TableWindowStore } from './table/TableWindowStore';
import { tableClientFor } from './tableClientFor';
import type { MergeLatencySketches, Stores } from './types';

export interface StoreOptions {
  /** Prepended to every table name (letters and digits; tests use it to isolate runs). Default "". */
  tablePrefix?: string;
  /** The core's sketch merge; without it the metrics rows keep one sketch per batch. */
  mergeLatencySketches?: MergeLatencySketches;
}

export const TABLE_NAMES = {
  pipelines: 'Pipelines',
  windows: 'Windows',
  deadLetters: 'DeadLetters',
  streams: 'Streams',
  ingestMetrics: 'IngestMetrics',
} as const;

/** Table-backed stores on the app's storage account (see tableClientFor for the settings read). */
export function createStores(env: NodeJS.ProcessEnv = process.env, options: StoreOptions = {}): Stores {
  const prefix = options.tablePrefix ?? '';
  if (!/^[A-Za-z]?[A-Za-z0-9]*$/.test(prefix)) {
    throw new Error(`tablePrefix: expected letters and digits starting with a letter, found ${JSON.stringify(prefix)}`);
  }
  const client = (name: string) => () => tableClientFor(prefix + name, env);
  return {
    pipelines: new TablePipelineStore(client(TABLE_NAMES.pipelines)),
    windows: new TableWindowStore(client(TABLE_NAMES.windows)),
    deadLetters: new TableDeadLetterStore(client(TABLE_NAMES.deadLetters)),
    streams: new TableStreamCatalog(client(TABLE_NAMES.streams)),
    ingestMetrics: new TableIngestMetricsStore(client(TABLE_NAMES.ingestMetrics), options.mergeLatencySketches),
  };
}

/** In-process stores with the same behaviour, for tests and tools. */
export function createMemoryStores(options: Pick<StoreOptions, 'mergeLatencySketches'> = {}): Stores {
  return {
    pipelines: new MemoryPipelineStore(),
    windows: new MemoryWindowStore(),
    deadLetters: new MemoryDeadLetterStore(),
    streams: new MemoryStreamCatalog(),
    ingestMetrics: new MemoryIngestMetricsStore(options.mergeLatencySketches),
  };
}
