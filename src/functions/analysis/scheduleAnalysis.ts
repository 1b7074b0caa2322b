import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';

import { ANALYSIS_KINDS } from '../../core/analysis/types';
import { defaultPipeline } from '../../core/pipelines';
import { createStores } from '../../storage/createStores';
import { analysisPeriodMinutes, analysisSchedule } from './analysisSettings';
import { ANALYZE_STREAMS } from './analyzeStreams';
import { instanceStatus } from './instanceStatus';
import type { AnalysisJob } from './request';
import { scheduledInstanceId, schedulePeriod } from './schedulePeriod';

/**
 * Starts one analysis per pipeline for the last whole period, unless that period's run
 * (same derived instance id) exists already in any state.
 */
export async function scheduleAnalysis(_timer: Timer, context: InvocationContext): Promise<void> {
  const client = df.getClient(context);
  const period = schedulePeriod(Date.now(), analysisPeriodMinutes());
  const stored = await createStores(process.env).pipelines.list();
  // With no stored pipeline, ingest folds events into the built-in default pipeline: analyse that.
  const names = stored.length > 0 ? stored.map((p) => p.name) : [defaultPipeline.name];
  for (const name of names) {
    const instanceId = scheduledInstanceId(name, period.from);
    if (await instanceStatus(client, instanceId)) {
      context.log(`Analysis ${instanceId} already exists; not starting it again`);
      continue;
    }
    const job: AnalysisJob = { pipeline: name, from: period.from, to: period.to, analyses: [...ANALYSIS_KINDS] };
    await client.startNew(ANALYZE_STREAMS, { instanceId, input: job });
    context.log(`Started scheduled analysis ${instanceId}`);
  }
}

// The host rejects a timer whose schedule resolves to an empty string, so with ANALYSIS_SCHEDULE
// unset or empty (the default: scheduling off) the timer is not registered at all.
if (analysisSchedule() !== '') {
  app.timer('scheduleAnalysis', {
    schedule: '%ANALYSIS_SCHEDULE%',
    extraInputs: [df.input.durableClient()],
    handler: scheduleAnalysis,
  });
}
