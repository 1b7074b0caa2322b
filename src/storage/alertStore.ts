import type { Anomaly } from '../core/analysis/types';
import type { Page, PageOptions, PurgeResult } from './types';

/** An anomaly of one stream that reached the alert severity. Identity: (pipeline, stream, windowStart, kind). */
export interface AlertRecord extends Anomaly {
  pipeline: string;
  stream: string;
  /** The analysis run that first raised it. */
  reportId: string;
  /** ISO time it was first raised. */
  raisedAt: string;
}

export interface AlertQuery extends PageOptions {
  /** ISO time; alerts whose windowStart >= since. */
  since?: string;
  pipeline?: string;
  stream?: string;
}

export interface AlertStore {
  /**
   * Inserts each alert unless one with the same identity exists, and returns exactly those
   * that were inserted now: the caller publishes only these, so each alert goes out once
   * however often the same period is analysed.
   */
  insertNew(alerts: AlertRecord[]): Promise<AlertRecord[]>;
  /** Ascending by windowStart. */
  query(options?: AlertQuery): Promise<Page<AlertRecord>>;
  /** Deletes alerts raised (stored) before `before` (ISO), at most `limit` rows per call; by write time, as windows. */
  purge(before: string, limit: number): Promise<PurgeResult>;
}

export const ALERTS_TABLE = 'Alerts';

/** The identity of an alert as one string (also its RowKey suffix order: time first). */
export function alertIdentity(a: Pick<AlertRecord, 'pipeline' | 'stream' | 'windowStart' | 'kind'>): string {
  return `${a.windowStart}|${a.pipeline}|${a.stream}|${a.kind}`;
}
