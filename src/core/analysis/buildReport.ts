import { correlations, rankBySeverity, type StreamSeries } from './crossStream';
import type { AnalysisKind, Range, Report, StreamResult } from './types';

export interface ReportOptions {
  generatedAt: string;
  analyses: readonly AnalysisKind[];
  /** Window means of the most active streams (see mostActive) for the correlation matrix. */
  series?: readonly StreamSeries[];
  /** Totals per stream, for the ranking rows; absent streams count 0. */
  counts?: ReadonlyMap<string, number>;
}

/**
 * The report of one analysis run: every stream's results ranked by their highest anomaly
 * severity (name breaks ties), the ranking rows of the streams that have anomalies, and
 * the correlations of window means between the given most-active streams.
 */
export function buildReport(
  pipeline: string,
  range: Range,
  perStream: readonly StreamResult[],
  options: ReportOptions,
): Report {
  const streams = rankBySeverity(perStream);
  const ranking = streams
    .filter((s) => (s.anomalies?.length ?? 0) > 0)
    .map((s) => ({
      stream: s.stream,
      maxSeverity: s.maxSeverity,
      anomalies: s.anomalies?.length ?? 0,
      count: options.counts?.get(s.stream) ?? s.summary?.count ?? 0,
    }));
  return {
    pipeline,
    from: range.from,
    to: range.to,
    generatedAt: options.generatedAt,
    analyses: [...options.analyses],
    streamCount: streams.length,
    anomalyCount: streams.reduce((n, s) => n + (s.anomalies?.length ?? 0), 0),
    ranking,
    correlations: options.series ? correlations(options.series) : [],
    streams,
  };
}
