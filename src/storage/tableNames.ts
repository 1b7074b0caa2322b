import type { Stores } from './types';

/**
 * The one list of the app's tables, one per store of {@link Stores}: createStores builds every table store on these
 * names (after an optional test prefix), and the infra tests check that each is provisioned. Table names: letters and
 * digits, starting with a letter, 3 to 63 characters.
 */
export const TABLE_NAMES = {
  pipelines: 'Pipelines',
  windows: 'Windows',
  windowVersions: 'WindowVersions',
  deadLetters: 'DeadLetters',
  streams: 'Streams',
  ingestMetrics: 'IngestMetrics',
  /** The idle index. */
  activity: 'StreamActivity',
  reports: 'Reports',
  alerts: 'Alerts',
  /** Coalescing ingest's buffer (ENTITY_FLUSH_INTERVAL). */
  ingestBuffer: 'IngestBuffer',
  replayLedger: 'ReplayLedger',
  /** Late dead letters an attempt may have to withdraw (docs/explanation/effectively-once.md, ingest rule 7). */
  lateAttempts: 'LateAttempts',
} as const satisfies Record<keyof Stores, string>;
