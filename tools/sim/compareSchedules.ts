import { simulate } from './simulate';
import type { StreamTruth } from './workload';

export interface ScheduleComparison {
  scheduleSeeds: number[];
  digests: string[];
  identical: boolean;
  /** The first stream whose results differ, when they do. */
  difference?: string;
}

/** Sums of integer values are exact; this covers workloads with fractions (reassociated sums). */
export const SUM_TOLERANCE = 1e-9;

function sameResults(a: Record<string, StreamTruth>, b: Record<string, StreamTruth>): string | undefined {
  for (const stream of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[stream];
    const y = b[stream];
    if (!x || !y) return `stream ${stream} exists in one run only`;
    const sumOk = Math.abs(x.sum - y.sum) <= SUM_TOLERANCE * Math.max(1, Math.abs(x.sum));
    if (x.count !== y.count || !sumOk || x.min !== y.min || x.max !== y.max)
      return `stream ${stream}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
  }
  return undefined;
}

/**
 * The schedule-independence invariant: a fault-free, on-time workload (one seed) run under several schedule-only seeds
 * (other interleavings, batch sizes, partition orders, runtime concurrency) must give the same per-stream results.
 */
export async function compareSchedules(o: {
  seed: number;
  steps: number;
  appDir: string;
  schedules: number;
}): Promise<ScheduleComparison> {
  const scheduleSeeds = Array.from({ length: Math.max(2, o.schedules) }, (_, k) => o.seed + k * 7919);
  const runs = [];
  for (const scheduleSeed of scheduleSeeds)
    runs.push(
      await simulate({
        seed: o.seed,
        scheduleSeed,
        steps: o.steps,
        appDir: o.appDir,
        faults: false,
        checkOrchestrators: false,
      }),
    );
  const bad = runs.find((r) => !r.ok);
  if (bad)
    return {
      scheduleSeeds,
      digests: runs.map((r) => r.digest),
      identical: false,
      difference: `schedule seed ${bad.scheduleSeed} broke ${bad.violations[0]?.invariant}: ${bad.violations[0]?.message}`,
    };
  for (const r of runs.slice(1)) {
    const d = sameResults(runs[0]!.results, r.results);
    if (d)
      return {
        scheduleSeeds,
        digests: runs.map((x) => x.digest),
        identical: false,
        difference: `schedule seeds ${scheduleSeeds[0]} and ${r.scheduleSeed}: ${d}`,
      };
  }
  return { scheduleSeeds, digests: runs.map((r) => r.digest), identical: true };
}
