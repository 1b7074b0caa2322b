import type { AlertRecord } from './types';

/** The identity of an alert as one string (also its RowKey suffix order: time first). */
export function alertIdentity(a: Pick<AlertRecord, 'pipeline' | 'stream' | 'windowStart' | 'kind'>): string {
  return `${a.windowStart}|${a.pipeline}|${a.stream}|${a.kind}`;
}
