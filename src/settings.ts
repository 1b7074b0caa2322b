import { z } from 'zod';

import { DEFAULT_ALERT_MIN_SEVERITY } from './core/analysis/detectAnomalies';
import { parseEventTime } from './core/batch/eventTime';
import { parseDuration } from './core/duration';

/**
 * App settings read from the environment (Function App settings / local.settings.json Values). Every setting the app
 * reads, with its default and meaning, is in {@link SETTINGS_REFERENCE} below, from which docs/reference/settings.md is
 * generated (`npm run docs:reference`). See also docs/reference/retention.md.
 */
export interface Settings {
  eventHubName: string;
  eventHubConsumerGroup: string;
  alertsEventHubName: string;
  analysisSchedule: string;
  pipelineRefreshSeconds: number;
  streamRetentionWindows: number;
  idleFlushSchedule: string;
  deadLetterUnmatched: boolean;
  windowRetentionMs: number;
  deadLetterRetentionMs: number;
  metricsRetentionMs: number;
  reportRetentionMs: number;
  purgeSchedule: string;
  maxFutureSkewMs: number;
  /** Epoch ms; null = no floor. */
  minEventTime: number | null;
  /** EVENTHUB_PARTITION_COUNT; null = not configured. */
  eventHubPartitionCount: number | null;
  /** ENTITY_FLUSH_INTERVAL in ms; 0 = signal each stream per batch (no coalescing). */
  entityFlushIntervalMs: number;
  /** WINDOW_WRITE_DELAY in ms; 0 = each entity operation writes the windows it closes. */
  windowWriteDelayMs: number;
  /** Anomalies at or above become alerts (default DEFAULT_ALERT_MIN_SEVERITY). */
  alertMinSeverity: number;
  /** The range a scheduled analysis covers. */
  analysisPeriodMinutes: number;
}

export const DEFAULT_IDLE_FLUSH_SCHEDULE = '*/30 * * * * *';
/** Minute 7 of every hour: often enough that a bounded run keeps up, off the top of the hour where schedules crowd. */
export const DEFAULT_PURGE_SCHEDULE = '0 7 * * * *';
/** The shortest retention accepted: shorter would purge what the API and the analysis still read. */
export const MIN_RETENTION_MS = 3_600_000;
/** The longest ANALYSIS_PERIOD_MINUTES: a week. */
export const MAX_ANALYSIS_PERIOD_MINUTES = 10_080;
/** Settings where an empty value means "disabled" rather than "use the default". */
const EMPTY_DISABLES = new Set(['ANALYSIS_SCHEDULE', 'IDLE_FLUSH_SCHEDULE', 'PURGE_SCHEDULE']);

const name = (fallback: string) => z.string().trim().min(1).default(fallback);
const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(max)).default(fallback);
/** An ISO 8601 duration of at most PT1M, in ms; default 0 (off). */
const durationUpToAMinute = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    return ms !== undefined && ms <= 60_000 ? ms : (ctx.addIssue({ code: 'custom' }), z.NEVER);
  })
  .default(0);
const retention = (fallback: string) =>
  z
    .string()
    .trim()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < MIN_RETENTION_MS) {
        ctx.addIssue({ code: 'custom', message: 'expected a retention duration' });
        return z.NEVER;
      }
      return ms;
    })
    // prefault: the default text goes through the same parse, so the default is written once, as text.
    .prefault(fallback);

const schema = z.object({
  EVENTHUB_NAME: name('events'),
  EVENTHUB_CONSUMER_GROUP: name('$Default'),
  ALERTS_EVENTHUB_NAME: name('alerts'),
  ANALYSIS_SCHEDULE: z.string().trim().default(''),
  PIPELINE_REFRESH_SECONDS: positiveInt(10),
  STREAM_RETENTION_WINDOWS: positiveInt(60, 10_000),
  IDLE_FLUSH_SCHEDULE: z.string().trim().default(DEFAULT_IDLE_FLUSH_SCHEDULE),
  DEADLETTER_UNMATCHED: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false']))
    .transform((v) => v === 'true')
    .default(false),
  WINDOW_RETENTION: retention('P90D'),
  DEADLETTER_RETENTION: retention('P30D'),
  METRICS_RETENTION: retention('P7D'),
  REPORT_RETENTION: retention('P90D'),
  PURGE_SCHEDULE: z.string().trim().default(DEFAULT_PURGE_SCHEDULE),
  MAX_FUTURE_SKEW: z
    .string()
    .trim()
    .transform((v, ctx) => parseDuration(v) ?? (ctx.addIssue({ code: 'custom' }), z.NEVER))
    .default(3_600_000),
  MIN_EVENT_TIME: z
    .string()
    .trim()
    .transform((v, ctx) => {
      const r = parseEventTime(v, 'MIN_EVENT_TIME');
      return r.ok ? r.time : (ctx.addIssue({ code: 'custom' }), z.NEVER);
    })
    .optional(),
  EVENTHUB_PARTITION_COUNT: z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(1024))
    .optional(),
  ENTITY_FLUSH_INTERVAL: durationUpToAMinute,
  WINDOW_WRITE_DELAY: durationUpToAMinute,
  ALERT_MIN_SEVERITY: z
    .string()
    .trim()
    .transform(Number)
    .pipe(z.number().gt(0).max(Number.MAX_VALUE))
    .default(DEFAULT_ALERT_MIN_SEVERITY),
  ANALYSIS_PERIOD_MINUTES: positiveInt(60, MAX_ANALYSIS_PERIOD_MINUTES),
});

const RETENTION_EXPECTED = 'an ISO 8601 duration of days, hours, minutes or seconds of at least PT1H, such as P30D';

const EXPECTED: Record<keyof z.input<typeof schema>, string> = {
  EVENTHUB_NAME: 'a non-empty Event Hub name',
  EVENTHUB_CONSUMER_GROUP: 'a non-empty consumer group name',
  ALERTS_EVENTHUB_NAME: 'a non-empty Event Hub name',
  ANALYSIS_SCHEDULE: 'an NCRONTAB expression or empty',
  PIPELINE_REFRESH_SECONDS: 'a positive whole number of seconds',
  STREAM_RETENTION_WINDOWS: 'a whole number from 1 to 10000',
  IDLE_FLUSH_SCHEDULE: 'an NCRONTAB expression or empty',
  DEADLETTER_UNMATCHED: 'true or false',
  WINDOW_RETENTION: RETENTION_EXPECTED,
  DEADLETTER_RETENTION: RETENTION_EXPECTED,
  METRICS_RETENTION: RETENTION_EXPECTED,
  REPORT_RETENTION: RETENTION_EXPECTED,
  PURGE_SCHEDULE: 'an NCRONTAB expression or empty',
  MAX_FUTURE_SKEW: 'an ISO 8601 duration such as "PT1H" or "PT10M"',
  MIN_EVENT_TIME: 'an ISO 8601 time such as "2000-01-01T00:00:00Z", or empty for no floor',
  EVENTHUB_PARTITION_COUNT: 'a whole number of partitions from 1 to 1024, or empty',
  ENTITY_FLUSH_INTERVAL: 'an ISO 8601 duration from PT0S to PT1M, such as "PT2S"',
  WINDOW_WRITE_DELAY: 'an ISO 8601 duration from PT0S to PT1M, such as "PT10S"',
  ALERT_MIN_SEVERITY: 'a positive number such as 1.5',
  ANALYSIS_PERIOD_MINUTES: `a whole number of minutes from 1 to ${MAX_ANALYSIS_PERIOD_MINUTES}`,
};

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Typed settings; throws a SettingsError naming each bad setting, what was expected and what was found. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const input = Object.fromEntries(
    Object.keys(EXPECTED).map((key) => {
      const value = env[key];
      // An empty value means "use the default" for everything but the schedules, where empty means "disabled".
      return [key, value === undefined || (value.trim() === '' && !EMPTY_DISABLES.has(key)) ? undefined : value];
    }),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof typeof EXPECTED;
      return `${key}: expected ${EXPECTED[key]}, found ${JSON.stringify(env[key])}`;
    });
    throw new SettingsError(`Invalid app settings: ${[...new Set(problems)].join('; ')}`);
  }
  const s = parsed.data;
  return {
    eventHubName: s.EVENTHUB_NAME,
    eventHubConsumerGroup: s.EVENTHUB_CONSUMER_GROUP,
    alertsEventHubName: s.ALERTS_EVENTHUB_NAME,
    analysisSchedule: s.ANALYSIS_SCHEDULE,
    pipelineRefreshSeconds: s.PIPELINE_REFRESH_SECONDS,
    streamRetentionWindows: s.STREAM_RETENTION_WINDOWS,
    idleFlushSchedule: s.IDLE_FLUSH_SCHEDULE,
    deadLetterUnmatched: s.DEADLETTER_UNMATCHED,
    windowRetentionMs: s.WINDOW_RETENTION,
    deadLetterRetentionMs: s.DEADLETTER_RETENTION,
    metricsRetentionMs: s.METRICS_RETENTION,
    reportRetentionMs: s.REPORT_RETENTION,
    purgeSchedule: s.PURGE_SCHEDULE,
    maxFutureSkewMs: s.MAX_FUTURE_SKEW,
    minEventTime: s.MIN_EVENT_TIME ?? null,
    eventHubPartitionCount: s.EVENTHUB_PARTITION_COUNT ?? null,
    entityFlushIntervalMs: s.ENTITY_FLUSH_INTERVAL,
    windowWriteDelayMs: s.WINDOW_WRITE_DELAY,
    alertMinSeverity: s.ALERT_MIN_SEVERITY,
    analysisPeriodMinutes: s.ANALYSIS_PERIOD_MINUTES,
  };
}

/** The settings {@link loadSettings} reads: every app setting but the connections, the task hub and the test-only ones. */
export const LOADED_SETTING_NAMES = Object.keys(EXPECTED);

/** One setting as docs/reference/settings.md lists it. */
export interface SettingReference {
  name: string;
  /** The value used when it is unset or blank; undefined: none (the app or host needs it). */
  default: string | undefined;
  meaning: string;
}

/**
 * Every setting the app (and its host.json / bindings) reads. test/docs/settingsReference.test.ts checks that each
 * setting the code reads is here and that each default is the code's own.
 */
export const SETTINGS_REFERENCE: readonly SettingReference[] = [
  {
    name: 'AzureWebJobsStorage',
    default: undefined,
    meaning:
      'Storage connection string of the Functions host (timers, checkpoints, the durable task hub) and of the app\'s tables; "UseDevelopmentStorage=true" is Azurite. Leave it unset to use a managed identity (the three settings below).',
  },
  {
    name: 'AzureWebJobsStorage__accountName',
    default: undefined,
    meaning:
      'Managed identity: the storage account name (the table endpoint is `https://<name>.table.core.windows.net`).',
  },
  {
    name: 'AzureWebJobsStorage__tableServiceUri',
    default: undefined,
    meaning: 'Managed identity: the Table service URL; wins over `AzureWebJobsStorage__accountName`.',
  },
  {
    name: 'AzureWebJobsStorage__clientId',
    default: undefined,
    meaning: 'Managed identity: client id of a user-assigned identity (otherwise the system-assigned one).',
  },
  {
    name: 'EventHubConnection',
    default: undefined,
    meaning:
      'Connection of the ingest trigger and the alerts output: a connection string ("UseLocalEventHub=true" on the local host), or `EventHubConnection__fullyQualifiedNamespace` (with `__credential` and `__clientId`) for a managed identity.',
  },
  {
    name: 'TASK_HUB_NAME',
    default: undefined,
    meaning:
      'Durable Functions task hub (host.json `durableTask.hubName`): letters and digits, starting with a letter.',
  },
  { name: 'EVENTHUB_NAME', default: 'events', meaning: 'Event Hub the ingest function reads.' },
  { name: 'EVENTHUB_CONSUMER_GROUP', default: '$Default', meaning: 'Consumer group of the ingest function.' },
  { name: 'ALERTS_EVENTHUB_NAME', default: 'alerts', meaning: 'Event Hub alerts are published to.' },
  {
    name: 'PIPELINE_REFRESH_SECONDS',
    default: '10',
    meaning: 'How long ingest caches pipeline definitions before reading them again.',
  },
  {
    name: 'STREAM_RETENTION_WINDOWS',
    default: '60',
    meaning:
      'Live windows a stream entity keeps when the pipeline sets no `retention` (1-10000; filled in by PUT /api/pipelines and used by the built-in default pipeline).',
  },
  {
    name: 'IDLE_FLUSH_SCHEDULE',
    default: DEFAULT_IDLE_FLUSH_SCHEDULE,
    meaning:
      "NCRONTAB schedule of the flushIdleStreams timer, which closes the open windows of streams quiet for their pipeline's idleTimeout. Empty disables it (the timer is not registered).",
  },
  {
    name: 'DEADLETTER_UNMATCHED',
    default: 'false',
    meaning: "true: an event every active pipeline filters out is dead-lettered once with reason 'no-pipeline'.",
  },
  {
    name: 'WINDOW_RETENTION',
    default: 'P90D',
    meaning:
      'Closed windows whose start is older are purged. Like the other retentions: an ISO 8601 duration in days, hours, minutes or seconds, at least PT1H.',
  },
  { name: 'DEADLETTER_RETENTION', default: 'P30D', meaning: 'Dead letters enqueued longer ago are purged.' },
  { name: 'METRICS_RETENTION', default: 'P7D', meaning: 'Ingest-metrics rows of older minutes are purged.' },
  {
    name: 'REPORT_RETENTION',
    default: 'P90D',
    meaning: 'Analysis reports generated, and alerts of windows, longer ago are purged.',
  },
  {
    name: 'PURGE_SCHEDULE',
    default: DEFAULT_PURGE_SCHEDULE,
    meaning:
      'NCRONTAB schedule of the purgeExpired timer (minute 7 of every hour). Empty disables it: nothing is purged.',
  },
  {
    name: 'MAX_FUTURE_SKEW',
    default: 'PT1H',
    meaning:
      "ISO 8601 duration: an event whose time is later than its enqueued time + this is dead-lettered 'future' and moves no watermark (docs/explanation/event-time.md).",
  },
  {
    name: 'EVENTHUB_PARTITION_COUNT',
    default: '',
    meaning:
      "The ingest hub's partition count (partition ids 0..n-1). Set: a stream's windows wait for every partition of the hub until it has been heard of or for the pipeline's idleTimeout, so a partition whose reading starts late cannot find its windows closed. Empty: only the partitions heard of hold (docs/explanation/event-time.md).",
  },
  {
    name: 'ENTITY_FLUSH_INTERVAL',
    default: 'PT0S',
    meaning:
      'ISO 8601 duration up to PT1M: ingest buffers batches in the IngestBuffer table and signals each stream at most once per interval (fewer entity operations, visibility later by up to the interval). PT0S: one operation per stream per batch (docs/explanation/effectively-once.md).',
  },
  {
    name: 'WINDOW_WRITE_DELAY',
    default: 'PT0S',
    meaning:
      "ISO 8601 duration up to PT1M: a stream's entity keeps the windows it closes in its state and writes them with the next ones, at the latest this long after the first (or once 32 wait), so several operations share one Windows transaction; they reach the Windows table (and /windows) later by up to this plus an idle-timer period. PT0S: each operation writes the windows it closes (docs/explanation/table-layout.md).",
  },
  {
    name: 'MIN_EVENT_TIME',
    default: '',
    meaning:
      "ISO 8601 time: an earlier event is dead-lettered 'schema' naming the floor. Empty (the default): no floor.",
  },
  {
    name: 'ANALYSIS_SCHEDULE',
    default: '',
    meaning: 'NCRONTAB schedule of the scheduled analysis; empty (the default) means the timer is not registered.',
  },
  {
    name: 'ANALYSIS_PERIOD_MINUTES',
    default: '60',
    meaning: 'Range a scheduled analysis covers, 1 to 10080 minutes (a week).',
  },
  {
    name: 'ALERT_MIN_SEVERITY',
    default: String(DEFAULT_ALERT_MIN_SEVERITY),
    meaning: 'Anomalies at or above this severity become alerts.',
  },
  {
    name: 'STREAMFOLD_FAULTS',
    default: undefined,
    meaning:
      'Tests only: ingest fails on purpose at the named points (e.g. "deadLetterWrite:1,signal:1"); see docs/how-to/chaos.md.',
  },
];
