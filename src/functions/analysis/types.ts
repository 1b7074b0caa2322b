import type { AlertRecord, ReportHeader } from '../../storage/types';
import type { AnalysisJob } from './request';

/** Input of one chunk activity. */
export interface ChunkInput {
  reportId: string;
  job: AnalysisJob;
  streams: string[];
  /** The orchestration's current time: stamps the alerts deterministically. */
  raisedAt: string;
}

/** What a chunk returns per stream: only what the fan-in needs; the full results are already in the Reports table. */
export interface StreamDigest {
  stream: string;
  count: number;
  maxSeverity: number;
  anomalies: number;
  /** Anomalies at or above ALERT_MIN_SEVERITY. */
  alerts: AlertRecord[];
}

export interface GroupInput {
  base: Omit<ChunkInput, 'streams'>;
  chunks: string[][];
}

export interface FinalizeInput {
  reportId: string;
  job: AnalysisJob;
  generatedAt: string;
  digests: Omit<StreamDigest, 'alerts'>[];
}

/** What the orchestration returns (the per-stream results are in the Reports table under reportId). */
export interface AnalysisOutput extends ReportHeader {
  reportId: string;
  alertsRaised: number;
}

export interface Progress {
  phase: 'listing' | 'analysing' | 'alerting' | 'reporting' | 'done';
  streams: number;
  chunksDone: number;
  chunksTotal: number;
}
