import * as df from 'durable-functions';

import { buildReport } from '../../core/analysis/buildReport';
import { mostActive, type StreamSeries } from '../../core/analysis/crossStream';
import type { ReportHeader } from '../../storage/types';
import { streamPoints } from './analyzeChunk';
import { type AnalysisDeps, analysisDeps } from './deps';
import { CORRELATION_TOP_N } from './plan';
import { revisedSinceLastReport } from './revisedSinceLastReport';
import type { FinalizeInput } from './types';

/**
 * Fan-in: ranks every stream, correlates the most active ones (re-reading only their windows), lists the revisions of
 * the windows the pipeline's previous report read (revisedSinceLastReport), writes the report header, then makes this
 * report the pipeline's latest. The per-stream rows were written by the chunks. Re-run after it set the pointer (a
 * retry), it finds itself as the latest and takes the report before it from the pointer.
 */
export async function finalizeReport(deps: AnalysisDeps, input: FinalizeInput): Promise<ReportHeader> {
  const active = mostActive(
    input.digests.map((d) => ({ stream: d.stream, count: d.count, means: new Map() })),
    CORRELATION_TOP_N,
  ).filter((s) => s.count > 0);
  const series: StreamSeries[] = [];
  for (const s of active) {
    const points = await streamPoints(deps, input.job, s.stream);
    series.push({ stream: s.stream, count: s.count, means: new Map(points.map((p) => [p.start, p.mean])) });
  }
  // buildReport ranks the digests exactly as it ranks full results; only the header is kept.
  const digests = input.digests.map((d) => ({
    stream: d.stream,
    windows: 0,
    maxSeverity: d.maxSeverity,
    anomalies: new Array(d.anomalies),
  }));
  const { streams: _streams, ...built } = buildReport(
    input.job.pipeline,
    { from: input.job.from, to: input.job.to },
    digests,
    {
      generatedAt: input.generatedAt,
      analyses: input.job.analyses,
      series,
      counts: new Map(input.digests.map((d) => [d.stream, d.count])),
    },
  );
  const pipeline = input.job.pipeline;
  const pointer = await deps.reports.latest(pipeline);
  const previousReportId = pointer?.reportId === input.reportId ? pointer.previousReportId : pointer?.reportId;
  const header: ReportHeader =
    previousReportId !== undefined && deps.windowVersions !== undefined
      ? {
          ...built,
          revisedSinceLastReport: await revisedSinceLastReport(
            { reports: deps.reports, windowVersions: deps.windowVersions },
            pipeline,
            previousReportId,
          ),
        }
      : built;
  await deps.reports.putHeader(input.reportId, header);
  await deps.reports.setLatest(pipeline, {
    reportId: input.reportId,
    ...(previousReportId !== undefined ? { previousReportId } : {}),
  });
  return header;
}

export const FINALIZE_REPORT = 'analysisFinalizeReport';
export const finalizeReportActivity = df.app.activity(FINALIZE_REPORT, {
  handler: (input: FinalizeInput) => finalizeReport(analysisDeps(), input),
});
