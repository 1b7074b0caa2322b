/**
 * Input and output shapes of the pure analysis code. The analysis works on one
 * measure of one stream: a series of closed windows, each already summarised.
 */

import type { WindowsRead } from './windowsRead';

/** One closed window of one measure, as the analysis needs it. */
export interface WindowPoint {
  /** Window start, ISO 8601. Windows of one stream are aligned on this across streams. */
  start: string;
  /** Window end (exclusive), ISO 8601. */
  end: string;
  count: number;
  mean: number;
  /** Population standard deviation inside the window (sqrt(M2 / count)). */
  stddev: number;
  min: number;
  max: number;
  sum?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  /** The window's DDSketch (base64 protobuf, as src/core/aggregates encodes it), when stored. */
  sketch?: string;
}

export interface RangeSummary {
  windows: number;
  count: number;
  sum: number;
  mean: number;
  /** Population standard deviation over every event in the range, pooled exactly. */
  stddev: number;
  min: number;
  max: number;
  /**
   * Approximate. From the merged DDSketches when every window carries one (relative error of
   * the sketch accuracy), else from the windows' own quantiles (see quantiles.ts). Null when
   * the windows carry neither.
   */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export type AnomalyKind = 'spike' | 'dip' | 'level-shift' | 'outlier';
export type AnomalyMethod = 'robust-z' | 'ewma' | 'cusum';

export interface Anomaly {
  /** ISO time the anomaly is attributed to (the window start). */
  time: string;
  windowStart: string;
  windowEnd: string;
  /** Method-specific statistic (|z| in sigmas, or shift in sigmas for CUSUM). */
  score: number;
  /** score / the method's threshold: 1 means "just detected". */
  severity: number;
  kind: AnomalyKind;
  direction: 'up' | 'down';
  method: AnomalyMethod;
  /** The window mean that was flagged. */
  value: number;
  /** What the method expected at that point (median, EWMA mean or pre-shift level). */
  expected: number;
}

export interface Trend {
  /** Least-squares slope of window means, in units per hour. */
  slopePerHour: number;
  /** 95% confidence interval of the slope (Student t, n - 2 degrees of freedom). */
  ci95: [number, number];
  /** Intercept at the first window's start. */
  intercept: number;
  r2: number | null;
  points: number;
}

export interface ForecastPoint {
  windowStart: string;
  windowEnd: string;
  value: number;
  /** 95% prediction interval. */
  lower: number;
  upper: number;
}

export interface Forecast {
  method: 'holt';
  alpha: number;
  beta: number;
  /** Root mean square of one-step-ahead residuals. */
  rmse: number;
  points: ForecastPoint[];
}

export type AnalysisKind = 'summary' | 'anomalies' | 'trend' | 'forecast';
export const ANALYSIS_KINDS: readonly AnalysisKind[] = ['summary', 'anomalies', 'trend', 'forecast'];

export interface StreamResult {
  stream: string;
  windows: number;
  /** The windows this analysis read (with their versions), for the next report's revision list (windowsRead.ts). */
  read?: WindowsRead;
  summary?: RangeSummary;
  anomalies?: Anomaly[];
  trend?: Trend | null;
  forecast?: Forecast | null;
  /** Highest anomaly severity, 0 when none; used to rank streams. */
  maxSeverity: number;
}

export interface Correlation {
  a: string;
  b: string;
  r: number;
  points: number;
}

export interface Range {
  from: string;
  to: string;
}

export interface Report {
  pipeline: string;
  from: string;
  to: string;
  generatedAt: string;
  analyses: AnalysisKind[];
  streamCount: number;
  anomalyCount: number;
  /** Streams by descending max severity, ties by name; only streams with anomalies. */
  ranking: { stream: string; maxSeverity: number; anomalies: number; count: number }[];
  correlations: Correlation[];
  /**
   * The revisions, since the pipeline's previous report, of the windows that report read (late events within
   * `corrections`): absent when there was no previous report.
   */
  revisedSinceLastReport?: RevisedSinceLastReport;
  streams: StreamResult[];
}

/** A measure of a window version as a revision list shows it. */
export interface RevisedMeasure {
  count: number;
  sum: number;
  mean: number | null;
}

/** One window the previous report read that has been revised since: the version it read -> the latest one. */
export interface RevisedWindow {
  pipeline: string;
  stream: string;
  /** Window start, ISO. */
  windowStart: string;
  fromVersion: number;
  toVersion: number;
  /** `before` is null when the version read is no longer in the history (purged). */
  events: { before: number | null; after: number };
  measures: Record<string, { before: RevisedMeasure | null; after: RevisedMeasure | null }>;
}

export interface RevisedSinceLastReport {
  previousReportId: string;
  /** Every revised window found; `windows` lists at most MAX_LISTED_REVISIONS of them, by stream then start. */
  total: number;
  windows: RevisedWindow[];
}
