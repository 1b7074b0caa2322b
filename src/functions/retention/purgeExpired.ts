import { app, type InvocationContext, type Timer } from '@azure/functions';

import { appDeps } from '../../app';
import type { Settings } from '../../settings';
import type {
  AlertStore,
  DeadLetterStore,
  IngestMetricsStore,
  PurgeResult,
  ReportStore,
  WindowStore,
  WindowVersionStore,
} from '../../storage/types';

export const PURGE_EXPIRED_FUNCTION = 'purgeExpired';

/**
 * Rows deleted per store per run at most, so that a run finishes well inside the function timeout (about 200
 * transactions per store); a backlog (the first run on an old deployment) is worked off by the next runs.
 */
export const MAX_PURGE_ROWS_PER_RUN = 20_000;

export interface PurgeDeps {
  windows: Pick<WindowStore, 'purge'>;
  /** Every version of each closed window, purged as the windows (by write time); absent: not purged here. */
  windowVersions?: Pick<WindowVersionStore, 'purge'>;
  deadLetters: Pick<DeadLetterStore, 'purge'>;
  ingestMetrics: Pick<IngestMetricsStore, 'purge'>;
  reports: Pick<ReportStore, 'purge'>;
  alerts: Pick<AlertStore, 'purge'>;
  retention: Pick<Settings, 'windowRetentionMs' | 'deadLetterRetentionMs' | 'metricsRetentionMs' | 'reportRetentionMs'>;
  now(): number;
}

export type PurgeKind = 'windows' | 'windowVersions' | 'deadLetters' | 'ingestMetrics' | 'reports' | 'alerts';
export type PurgeOutcome = PurgeResult | { error: string };

/**
 * Deletes what is older than its retention in every store: closed windows by start (WINDOW_RETENTION), dead letters
 * by enqueued time (DEADLETTER_RETENTION), ingest-metrics rows by minute (METRICS_RETENTION), analysis reports by
 * generation time and alerts by window start (REPORT_RETENTION). Each store is purged on its own: one failing store
 * is logged and the others still run; the run then fails so the platform records it.
 */
export async function purgeExpired(
  context: InvocationContext,
  deps: PurgeDeps,
  limit = MAX_PURGE_ROWS_PER_RUN,
): Promise<Partial<Record<PurgeKind, PurgeOutcome>>> {
  const now = deps.now();
  const { windowRetentionMs, deadLetterRetentionMs, metricsRetentionMs, reportRetentionMs } = deps.retention;
  const iso = (ms: number) => new Date(ms).toISOString();
  const versions = deps.windowVersions;
  const jobs: Partial<Record<PurgeKind, () => Promise<PurgeResult>>> = {
    windows: () => deps.windows.purge(Math.max(0, now - windowRetentionMs), limit),
    ...(versions === undefined
      ? {}
      : { windowVersions: () => versions.purge(Math.max(0, now - windowRetentionMs), limit) }),
    deadLetters: () => deps.deadLetters.purge(iso(now - deadLetterRetentionMs), limit),
    ingestMetrics: () => deps.ingestMetrics.purge(Math.max(0, now - metricsRetentionMs), limit),
    reports: () => deps.reports.purge(iso(now - reportRetentionMs), limit),
    alerts: () => deps.alerts.purge(iso(now - reportRetentionMs), limit),
  };
  const entries = await Promise.all(
    (Object.keys(jobs) as PurgeKind[]).map(async (kind): Promise<[PurgeKind, PurgeOutcome]> => {
      try {
        return [kind, await (jobs[kind] as () => Promise<PurgeResult>)()];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        context.error(`purgeExpired: purging ${kind} failed: ${message}`);
        return [kind, { error: message }];
      }
    }),
  );
  const outcome = Object.fromEntries(entries) as Partial<Record<PurgeKind, PurgeOutcome>>;
  const text = entries.map(([kind, o]) =>
    'error' in o ? `${kind} failed` : `${kind} ${o.deleted}${o.more ? ' (more left for the next run)' : ''}`,
  );
  context.log(`purgeExpired: deleted ${text.join(', ')}`);
  const failed = entries.filter(([, o]) => 'error' in o).map(([kind]) => kind);
  if (failed.length > 0)
    throw new Error(
      `purgeExpired: purging ${failed.join(', ')} failed (see the errors logged above); the other stores were purged`,
    );
  return outcome;
}

// As with flushIdleStreams: the schedule is the setting's value itself, and an empty PURGE_SCHEDULE registers no timer.
const schedule = appDeps().settings.purgeSchedule;
if (schedule !== '') {
  app.timer(PURGE_EXPIRED_FUNCTION, {
    schedule,
    handler: async (_timer: Timer, context: InvocationContext) => {
      await purgeExpired(context, appDeps().purge);
    },
  });
}
