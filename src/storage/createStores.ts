import { simulationHooks } from '../simulationHooks';
import { MemoryAlertStore } from './memory/MemoryAlertStore';
import { MemoryDeadLetterStore } from './memory/MemoryDeadLetterStore';
import { MemoryIngestBufferStore } from './memory/MemoryIngestBufferStore';
import { MemoryIngestMetricsStore } from './memory/MemoryIngestMetricsStore';
import { MemoryLateAttemptStore } from './memory/MemoryLateAttemptStore';
import { MemoryPipelineStore } from './memory/MemoryPipelineStore';
import { MemoryReplayLedgerStore } from './memory/MemoryReplayLedgerStore';
import { MemoryReportStore } from './memory/MemoryReportStore';
import { MemoryStreamActivityStore } from './memory/MemoryStreamActivityStore';
import { MemoryStreamCatalog } from './memory/MemoryStreamCatalog';
import { MemoryWindowStore } from './memory/MemoryWindowStore';
import { MemoryWindowVersionStore } from './memory/MemoryWindowVersionStore';
import { TableAlertStore } from './table/TableAlertStore';
import { TableDeadLetterStore } from './table/TableDeadLetterStore';
import { TableIngestBufferStore } from './table/TableIngestBufferStore';
import { TableIngestMetricsStore } from './table/TableIngestMetricsStore';
import { TableLateAttemptStore } from './table/TableLateAttemptStore';
import { TablePipelineStore } from './table/TablePipelineStore';
import { TableReplayLedgerStore } from './table/TableReplayLedgerStore';
import { TableReportStore } from './table/TableReportStore';
import { TableStreamActivityStore } from './table/TableStreamActivityStore';
import { TableStreamCatalog } from './table/TableStreamCatalog';
import { TableWindowStore } from './table/TableWindowStore';
import { TableWindowVersionStore } from './table/TableWindowVersionStore';
import { tableClientFor } from './tableClientFor';
import { TABLE_NAMES } from './tableNames';
import type { MergeLatencySketches, Stores } from './types';

export interface StoreOptions {
  /** Prepended to every table name (letters and digits; tests use it to isolate runs). Default "". */
  tablePrefix?: string;
  /** The core's sketch merge; without it the metrics rows keep one sketch per batch. */
  mergeLatencySketches?: MergeLatencySketches;
}

/** Table-backed stores on the app's storage account (see tableClientFor for the settings read). */
export function createStores(env: NodeJS.ProcessEnv = process.env, options: StoreOptions = {}): Stores {
  const simulated = simulationHooks()?.stores;
  if (simulated) return simulated();
  const prefix = options.tablePrefix ?? '';
  if (!/^[A-Za-z]?[A-Za-z0-9]*$/.test(prefix)) {
    throw new Error(`tablePrefix: expected letters and digits starting with a letter, found ${JSON.stringify(prefix)}`);
  }
  const client = (name: string) => () => tableClientFor(prefix + name, env);
  return {
    pipelines: new TablePipelineStore(client(TABLE_NAMES.pipelines)),
    windows: new TableWindowStore(client(TABLE_NAMES.windows)),
    windowVersions: new TableWindowVersionStore(client(TABLE_NAMES.windowVersions)),
    deadLetters: new TableDeadLetterStore(client(TABLE_NAMES.deadLetters)),
    streams: new TableStreamCatalog(client(TABLE_NAMES.streams)),
    ingestMetrics: new TableIngestMetricsStore(client(TABLE_NAMES.ingestMetrics), options.mergeLatencySketches),
    activity: new TableStreamActivityStore(client(TABLE_NAMES.activity)),
    reports: new TableReportStore(client(TABLE_NAMES.reports)),
    alerts: new TableAlertStore(client(TABLE_NAMES.alerts)),
    ingestBuffer: new TableIngestBufferStore(client(TABLE_NAMES.ingestBuffer)),
    replayLedger: new TableReplayLedgerStore(client(TABLE_NAMES.replayLedger)),
    lateAttempts: new TableLateAttemptStore(client(TABLE_NAMES.lateAttempts)),
  };
}

/** In-process stores with the same behaviour, for tests and tools. */
export function createMemoryStores(options: Pick<StoreOptions, 'mergeLatencySketches'> = {}): Stores {
  return {
    pipelines: new MemoryPipelineStore(),
    windows: new MemoryWindowStore(),
    windowVersions: new MemoryWindowVersionStore(),
    deadLetters: new MemoryDeadLetterStore(),
    streams: new MemoryStreamCatalog(),
    ingestMetrics: new MemoryIngestMetricsStore(options.mergeLatencySketches),
    activity: new MemoryStreamActivityStore(),
    reports: new MemoryReportStore(),
    alerts: new MemoryAlertStore(),
    ingestBuffer: new MemoryIngestBufferStore(),
    replayLedger: new MemoryReplayLedgerStore(),
    lateAttempts: new MemoryLateAttemptStore(),
  };
}
