import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The app's Table request totals per table from its STREAMFOLD_LOCAL_TABLE_REQUEST_COUNTS file ({} before the first
 * request). Waits a little longer than the app's 200 ms debounce first, so requests made up to now are in the file.
 */
export async function readTableRequestCounts(file: string): Promise<Record<string, number>> {
  await sleep(300);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

/** Requests per 1,000 events per table between two readings (tables with none left out), plus their `total`. */
export function tableRequestsPer1000(
  before: Record<string, number>,
  after: Record<string, number>,
  events: number,
): Record<string, number> {
  // Two decimals: a table written a few times in a run (group commit) must not round to 0.
  const per = (n: number) => Math.round((n * 100000) / events) / 100;
  const out: Record<string, number> = {};
  let total = 0;
  for (const [table, n] of Object.entries(after).sort(([a], [b]) => a.localeCompare(b))) {
    const d = n - (before[table] ?? 0);
    total += d;
    if (d > 0) out[table] = per(d);
  }
  out['total'] = per(total);
  return out;
}
