import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';

import { analyzeChunkActivity } from './analyzeChunk';
import { analyzeStreamGroup } from './analyzeStreamGroup';
import { finalizeReportActivity } from './finalizeReport';
import { listStreamsActivity } from './listStreams';
import { planChunks } from './plan';
import { raiseAlertsActivity } from './raiseAlerts';
import type { AnalysisJob } from './request';
import type { AnalysisOutput, ChunkInput, Progress, StreamDigest } from './types';

/**
 * list streams -> analyse chunks in parallel (sub-orchestrations of chunk groups above
 * SUB_ORCHESTRATION_THRESHOLD streams) -> raise alerts -> build and save the report header.
 * Deterministic: time comes from context.df.currentUtcDateTime, all I/O from activities.
 * Progress is the custom status, updated as each chunk (or group) completes.
 */
export const analyzeStreamsHandler: OrchestrationHandler = function* (context: OrchestrationContext) {
  const job = context.df.getInput<AnalysisJob>();
  const reportId = context.df.instanceId;
  const now = context.df.currentUtcDateTime.toISOString();
  const progress: Progress = { phase: 'listing', streams: 0, chunksDone: 0, chunksTotal: 0 };
  context.df.setCustomStatus(progress);

  const streams: string[] = yield listStreamsActivity(job);
  const { chunks, groups } = planChunks(streams);
  Object.assign(progress, { phase: 'analysing', streams: streams.length, chunksTotal: chunks.length });
  context.df.setCustomStatus(progress);

  const base: Omit<ChunkInput, 'streams'> = { reportId, job, raisedAt: now };
  const pending: { task: Task; chunks: number }[] = groups
    ? groups.map((g, i) => ({ task: analyzeStreamGroup({ base, chunks: g }, `${reportId}:group:${i}`), chunks: g.length }))
    : chunks.map((c) => ({ task: analyzeChunkActivity({ ...base, streams: c }), chunks: 1 }));
  const digests: StreamDigest[] = [];
  while (pending.length > 0) {
    const done: Task = yield context.df.Task.any(pending.map((p) => p.task));
    const index = pending.findIndex((p) => p.task === done);
    const [finished] = pending.splice(index, 1);
    // A failed chunk fails the run: a report silently missing streams would rank wrongly.
    if (done.isFaulted) throw new Error(`analysis chunk ${index} of ${reportId} failed; the run stops rather than report partial results`);
    digests.push(...(done.result as StreamDigest[]));
    progress.chunksDone += finished!.chunks;
    context.df.setCustomStatus(progress);
  }

  progress.phase = 'alerting';
  context.df.setCustomStatus(progress);
  const alerts = digests.flatMap((d) => d.alerts);
  const alertsRaised: number = alerts.length > 0 ? yield raiseAlertsActivity(alerts) : 0;

  progress.phase = 'reporting';
  context.df.setCustomStatus(progress);
  const header = yield finalizeReportActivity({
    reportId,
    job,
    generatedAt: now,
    digests: digests.map(({ alerts: _alerts, ...d }) => d),
  });

  progress.phase = 'done';
  context.df.setCustomStatus(progress);
  const output: AnalysisOutput = { reportId, alertsRaised, ...header };
  return output;
};

export const ANALYZE_STREAMS = 'analyzeStreams';
export const analyzeStreams = df.app.orchestration(ANALYZE_STREAMS, analyzeStreamsHandler);
