import { z } from 'zod';

import { parseEventTime } from './core/batch/eventTime';
import { parseDuration } from './core/duration';

/**
 * App settings read from the environment (Function App settings / local.settings.json Values).
 *
 * | Setting                    | Default    | Meaning                                                           |
 * |----------------------------|------------|-------------------------------------------------------------------|
 * | EVENTHUB_NAME              | events     | Event Hub the ingest function reads                               |
 * | EVENTHUB_CONSUMER_GROUP    | $Default   | its consumer group                                                |
 * | ALERTS_EVENTHUB_NAME       | alerts     | Event Hub alerts are published to                                 |
 * | ANALYSIS_SCHEDULE          | "" (off)   | NCRONTAB schedule of the analysis orchestration; empty disables it |
 * | PIPELINE_REFRESH_SECONDS   | 10         | how long ingest caches pipeline definitions before re-reading     |
 * | STREAM_RETENTION_WINDOWS   | 60         | live windows a stream entity keeps when the pipeline sets no      |
 * |                            |            | `retention` (1-10000; filled in by PUT /api/pipelines and used by |
 * |                            |            | the built-in default pipeline)                                    |
 * | IDLE_FLUSH_SCHEDULE        | every 30 s | NCRONTAB schedule of the flushIdleStreams timer, which closes the |
 * |                            |            | open windows of streams quiet for their pipeline's idleTimeout;   |
 * |                            |            | empty disables it (the timer is not registered); the default is   |
 * |                            |            | DEFAULT_IDLE_FLUSH_SCHEDULE below                                 |
 * | DEADLETTER_UNMATCHED       | false      | true: an event every active pipeline filters out is dead-lettered |
 * |                            |            | once with reason 'no-pipeline' (see src/core/README.md)           |
 * | WINDOW_RETENTION           | P90D       | closed windows whose start is older are purged (ISO 8601 duration |
 * |                            |            | in days/hours/minutes/seconds, at least PT1H; also the four below) |
 * | DEADLETTER_RETENTION       | P30D       | dead letters enqueued longer ago are purged                       |
 * | METRICS_RETENTION          | P7D        | ingest-metrics rows of older minutes are purged                   |
 * | REPORT_RETENTION           | P90D       | analysis reports generated, and alerts of windows, longer ago     |
 * | PURGE_SCHEDULE             | hourly     | NCRONTAB of the purgeExpired timer; empty disables it (nothing is |
 * |                            |            | purged); the default is DEFAULT_PURGE_SCHEDULE below              |
 * | MAX_FUTURE_SKEW            | PT1H       | ISO duration: an event whose time is later than its enqueued time |
 * |                            |            | + this is dead-lettered 'future' (docs/explanation/event-time.md) |
 * | MIN_EVENT_TIME             | "" (off)   | ISO time: an earlier event is dead-lettered 'schema'              |
 * See docs/reference/retention.md.
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
}

export const DEFAULT_IDLE_FLUSH_SCHEDULE = '*/30 * * * * *';
/** Minute 7 of every hour: often enough that a bounded run keeps up, off the top of the hour where schedules crowd. */
export const DEFAULT_PURGE_SCHEDULE = '0 7 * * * *';
/** The shortest retention accepted: shorter would purge what the API and the analysis still read. */
export const MIN_RETENTION_MS = 3_600_000;
/** Settings where an empty value means "disabled" rather than "use the default". */
const EMPTY_DISABLES = new Set(['ANALYSIS_SCHEDULE', 'IDLE_FLUSH_SCHEDULE', 'PURGE_SCHEDULE']);

const name = (fallback: string) => z.string().trim().min(1).default(fallback);
const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);
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
  };
}
