import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { analyzeChunkActivity } from './analyzeChunk';
import { analyzeStreamGroup } from './analyzeStreamGroup';
import { finalizeReportActivity } from './finalizeReport';
import { listJobStreamsActivity } from './listJobStreams';
import { FAN_OUT_WAVE, planChunks } from './plan';
import { raiseAlertsActivity } from './raiseAlerts';
import type { AnalysisJob } from './request';
import { ACTIVITY_RETRY } from './retry';
import type { AnalysisOutput, ChunkInput, Progress, StreamDigest } from './types';

/**
 * list streams -> analyse chunks in parallel (sub-orchestrations of chunk groups above
 * SUB_ORCHESTRATION_THRESHOLD streams) -> raise alerts -> build and save the report header.
 * Deterministic: time comes from context.df.currentUtcDateTime, all I/O from activities.
 * Progress is the custom status, updated after each wave of FAN_OUT_WAVE chunks (or groups).
 */
export const analyzeStreamsHandler: OrchestrationHandler = function* (context: OrchestrationContext) {
  const job = context.df.getInput<AnalysisJob>();
  const reportId = context.df.instanceId;
  const now = context.df.currentUtcDateTime.toISOString();
  const progress: Progress = { phase: 'listing', streams: 0, chunksDone: 0, chunksTotal: 0 };
  context.df.setCustomStatus(progress);

  const streams: string[] = yield listJobStreamsActivity(job).withRetry(ACTIVITY_RETRY);
  const { chunks, groups } = planChunks(streams);
  Object.assign(progress, { phase: 'analysing', streams: streams.length, chunksTotal: chunks.length });
  context.df.setCustomStatus(progress);

  const base: Omit<ChunkInput, 'streams'> = { reportId, job, raisedAt: now };
  // Waves of Task.all rather than a Task.any loop: re-yielding already scheduled tasks in a new
  // Task.any makes the extension schedule them again (azure-functions-durable-js#574).
  const units = groups
    ? groups.map((g, i) => ({
        chunks: g.length,
        start: () => analyzeStreamGroup({ base, chunks: g }, `${reportId}:group:${i}`),
      }))
    : chunks.map((c) => ({
        chunks: 1,
        start: () => analyzeChunkActivity({ ...base, streams: c }).withRetry(ACTIVITY_RETRY),
      }));
  const digests: StreamDigest[] = [];
  for (let i = 0; i < units.length; i += FAN_OUT_WAVE) {
    const wave = units.slice(i, i + FAN_OUT_WAVE);
    // A failed chunk fails the run (Task.all throws): a report silently missing streams would rank wrongly.
    const results: StreamDigest[][] = yield context.df.Task.all(wave.map((u) => u.start()));
    for (const r of results) digests.push(...r);
    progress.chunksDone += wave.reduce((n, u) => n + u.chunks, 0);
    context.df.setCustomStatus(progress);
  }

  progress.phase = 'alerting';
  context.df.setCustomStatus(progress);
  const alerts = digests.flatMap((d) => d.alerts);
  const alertsRaised: number = alerts.length > 0 ? yield raiseAlertsActivity(alerts).withRetry(ACTIVITY_RETRY) : 0;

  progress.phase = 'reporting';
  context.df.setCustomStatus(progress);
  const header = yield finalizeReportActivity({
    reportId,
    job,
    generatedAt: now,
    digests: digests.map(({ alerts: _alerts, ...d }) => d),
  }).withRetry(ACTIVITY_RETRY);

  progress.phase = 'done';
  context.df.setCustomStatus(progress);
  const output: AnalysisOutput = { reportId, alertsRaised, ...header };
  return output;
};

export const ANALYZE_STREAMS = 'analyzeStreams';
export const analyzeStreams = df.app.orchestration(ANALYZE_STREAMS, analyzeStreamsHandler);
