import type { Report, StreamResult } from '../core/analysis/types';
import type { PurgeResult } from './types';

/** Everything of a report but the per-stream results, which are stored (and written) one row per stream. */
export type ReportHeader = Omit<Report, 'streams'>;

/**
 * Analysis reports. The chunk activities write their streams' results as they finish and the
 * final activity writes the header, so no single write (or orchestration history) holds a whole
 * report of thousands of streams. Writes are idempotent upserts (activities may re-run).
 */
export interface ReportStore {
  putStreams(reportId: string, results: StreamResult[]): Promise<void>;
  putHeader(reportId: string, header: ReportHeader): Promise<void>;
  /** The report with its streams ranked as buildReport ranks them; undefined until the header is written. */
  get(reportId: string): Promise<Report | undefined>;
  /**
   * Deletes the reports generated before `before` (ISO) - their stream rows first, the header last, so a report cut
   * by the limit is found again by the next call - at most `limit` rows per call.
   */
  purge(before: string, limit: number): Promise<PurgeResult>;
}

export const REPORTS_TABLE = 'Reports';

/** Streams in report order: descending max severity, then name. */
export function rankStreams(results: StreamResult[]): StreamResult[] {
  return results.sort((a, b) => b.maxSeverity - a.maxSeverity || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}
