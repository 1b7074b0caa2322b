import * as df from 'durable-functions';

import { appDeps } from '../../app';
import { analyzeStream, totalCount } from '../../core/analysis/analyzeStream';
import { fromStoredWindow, measuresOf, type StoredWindow } from '../../core/analysis/fromStoredWindow';
import type { StreamResult, WindowPoint } from '../../core/analysis/types';
import { windowsReadOf } from '../../core/analysis/windowsRead';
import type { AlertRecord } from '../../storage/types';
import { type AnalysisDeps, analysisDeps } from './deps';
import { readChunkWindows } from './readChunkWindows';
import { readWindows } from './readWindows';
import type { ChunkInput, StreamDigest } from './types';

/** One stream's analysis input: its windows of the job's measure (default: the first measure it has). */
export async function streamPoints(
  deps: Pick<AnalysisDeps, 'windows'>,
  job: ChunkInput['job'],
  stream: string,
): Promise<WindowPoint[]> {
  return pointsOf(await readWindows(deps.windows, job.pipeline, stream, job.from, job.to), job.measure);
}

/** The stored windows' points of `measure` (default: the first measure of the first window). */
export function pointsOf(stored: readonly StoredWindow[], jobMeasure: string | undefined): WindowPoint[] {
  const measure = jobMeasure ?? measuresOf(stored[0]?.data)[0];
  if (measure === undefined) return [];
  const points: WindowPoint[] = [];
  for (const w of stored) {
    const p = fromStoredWindow(w, measure);
    if (p) points.push(p);
  }
  return points;
}

/**
 * Analyses a chunk of streams, writes each stream's full result to the Reports table and
 * returns digests for the fan-in (ranking, activity, alert candidates).
 */
export async function analyzeChunk(
  deps: AnalysisDeps,
  input: ChunkInput,
  minSeverity: number,
): Promise<StreamDigest[]> {
  const results: StreamResult[] = [];
  const digests: StreamDigest[] = [];
  const stored = await readChunkWindows(deps.windows, input.job.pipeline, input.streams, input.job.from, input.job.to);
  for (const stream of input.streams) {
    const windows = stored.get(stream) ?? [];
    const points = pointsOf(windows, input.job.measure);
    const result = analyzeStream(stream, points, input.job.analyses);
    // The windows read and their versions: the next report lists their revisions (revisedSinceLastReport.ts).
    results.push(windows.length > 0 ? { ...result, read: windowsReadOf(windows) } : result);
    const alerts: AlertRecord[] = (result.anomalies ?? [])
      .filter((a) => a.severity >= minSeverity)
      .map((a) => ({ ...a, pipeline: input.job.pipeline, stream, reportId: input.reportId, raisedAt: input.raisedAt }));
    digests.push({
      stream,
      count: totalCount(points),
      maxSeverity: result.maxSeverity,
      anomalies: result.anomalies?.length ?? 0,
      alerts,
    });
  }
  await deps.reports.putStreams(input.reportId, results);
  return digests;
}

export const ANALYZE_CHUNK = 'analysisAnalyzeChunk';
export const analyzeChunkActivity = df.app.activity(ANALYZE_CHUNK, {
  handler: (input: ChunkInput) => analyzeChunk(analysisDeps(), input, appDeps().settings.alertMinSeverity),
});
