import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';

import { appDeps } from '../../app';
import { ANALYSIS_KINDS } from '../../core/analysis/types';
import { defaultPipeline } from '../../core/pipelines';
import { ANALYZE_STREAMS } from './analyzeStreams';
import { instanceStatus } from './instanceStatus';
import type { AnalysisJob } from './request';
import { MAX_SCHEDULED_ATTEMPTS, scheduledInstanceId, schedulePeriod } from './schedulePeriod';

/** What the schedule needs from the durable client: an instance's runtime status (undefined: none) and a start. */
export interface ScheduleClient {
  status(instanceId: string): Promise<string | undefined>;
  start(instanceId: string, job: AnalysisJob): Promise<void>;
}

/** Runs that ended without a report: the period is tried again under the next attempt's id. */
const ENDED_WITHOUT_REPORT = new Set<string>([
  df.OrchestrationRuntimeStatus.Failed,
  df.OrchestrationRuntimeStatus.Terminated,
]);

/**
 * Starts one analysis per pipeline for the period, unless that period's run exists already. A run that Failed or was
 * Terminated does not block its period: the next attempt (a new, deterministic id) is started, up to
 * MAX_SCHEDULED_ATTEMPTS; the failed run stays for inspection. Returns the ids started.
 */
export async function startScheduledRuns(
  client: ScheduleClient,
  pipelines: readonly string[],
  period: { from: string; to: string },
  log: Pick<InvocationContext, 'log' | 'warn'>,
): Promise<string[]> {
  const started: string[] = [];
  for (const name of pipelines) {
    for (let attempt = 1; attempt <= MAX_SCHEDULED_ATTEMPTS; attempt++) {
      const instanceId = scheduledInstanceId(name, period.from, attempt);
      const status = await client.status(instanceId);
      if (status === undefined) {
        const job: AnalysisJob = { pipeline: name, from: period.from, to: period.to, analyses: [...ANALYSIS_KINDS] };
        await client.start(instanceId, job);
        log.log(`Started scheduled analysis ${instanceId}`);
        started.push(instanceId);
        break;
      }
      if (!ENDED_WITHOUT_REPORT.has(status)) {
        log.log(`Analysis ${instanceId} already exists; not starting it again`);
        break;
      }
      if (attempt === MAX_SCHEDULED_ATTEMPTS) {
        log.warn(
          `Analysis ${instanceId} ended ${status}, the last of ${MAX_SCHEDULED_ATTEMPTS} attempts for this period; not starting another`,
        );
      } else {
        log.log(`Analysis ${instanceId} ended ${status}; starting attempt ${attempt + 1}`);
      }
    }
  }
  return started;
}

/** Timer: the last whole period of ANALYSIS_PERIOD_MINUTES, for every stored pipeline (or the built-in default). */
export async function scheduleAnalysis(_timer: Timer, context: InvocationContext): Promise<void> {
  const client = df.getClient(context);
  const { settings, analysis } = appDeps();
  const period = schedulePeriod(Date.now(), settings.analysisPeriodMinutes);
  const stored = await analysis.pipelines.list();
  // With no stored pipeline, ingest folds events into the built-in default pipeline: analyse that.
  const names = stored.length > 0 ? stored.map((p) => p.name) : [defaultPipeline.name];
  await startScheduledRuns(
    {
      status: async (id) => (await instanceStatus(client, id))?.runtimeStatus,
      start: async (id, job) => {
        await client.startNew(ANALYZE_STREAMS, { instanceId: id, input: job });
      },
    },
    names,
    period,
    context,
  );
}

// The host rejects a timer whose schedule resolves to an empty string, so with ANALYSIS_SCHEDULE
// unset or empty (the default: scheduling off) the timer is not registered at all.
if (appDeps().settings.analysisSchedule !== '') {
  app.timer('scheduleAnalysis', {
    schedule: '%ANALYSIS_SCHEDULE%',
    extraInputs: [df.input.durableClient()],
    handler: scheduleAnalysis,
  });
}
