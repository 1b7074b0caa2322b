import { renameSync, writeFileSync } from 'node:fs';

import type { TableServiceClientOptions } from '@azure/data-tables';

/**
 * Debug counts of Table service requests per table, for benchmarks (bench:e2e prints them per 1,000 events): with this
 * setting naming a file, every TableClient from tableClientFor counts its requests (an entity-group transaction is
 * one request of its table) and the process rewrites the file, `{"Windows": 12, ...}` (totals since start), at most
 * every FLUSH_MS. Unset (always in Azure), no policy is added: nothing on the request path.
 */
export const TABLE_REQUEST_COUNTS_SETTING = 'STREAMFOLD_LOCAL_TABLE_REQUEST_COUNTS';

type Policy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

const FLUSH_MS = 200;
const counts: Record<string, number> = {};
let pending: NodeJS.Timeout | undefined;

/** Writes the counts whole (a temporary file renamed over the target, so a reader never sees half a file). */
function flush(file: string): void {
  pending = undefined;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(counts));
  renameSync(tmp, file);
}

/** The counting policy for `table`'s client when the setting is on; undefined when it is off. */
export function tableRequestCounter(table: string, env: NodeJS.ProcessEnv = process.env): Policy | undefined {
  const file = env[TABLE_REQUEST_COUNTS_SETTING];
  if (!file) return undefined;
  return {
    position: 'perCall',
    policy: {
      name: 'streamfoldTableRequestCounter',
      sendRequest: (request, next) => {
        counts[table] = (counts[table] ?? 0) + 1;
        // Debounced and unref'd: a burst costs one file write, and the timer never keeps the process alive.
        pending ??= setTimeout(() => flush(file), FLUSH_MS).unref();
        return next(request);
      },
    },
  };
}

/** The counts so far (tests). */
export function tableRequestCounts(): Readonly<Record<string, number>> {
  return { ...counts };
}
