import { type SimConfig, type SimResult, simulate } from './simulate';

export interface ShrinkResult {
  /** The smallest set of workload event ids found that still fails the same invariant. */
  keep: number[];
  result: SimResult;
  runs: number;
}

/**
 * Delta debugging (ddmin) over the events a failing run sent: drops chunks of them while the run, with the same seeds,
 * still breaks the same invariant. Bounded by `maxRuns` and `deadline` (ms since epoch, real time; a run that would end
 * past it is not started): the best trace so far is returned, always one that reproduces.
 */
export async function shrink(
  config: SimConfig,
  failed: SimResult,
  options: { maxRuns: number; deadline: number },
): Promise<ShrinkResult> {
  const invariant = failed.violations[0]?.invariant;
  let keep = [...failed.sent];
  let best = failed;
  let runs = 0;
  // A rerun costs about as long as the failed run: none is started that would end past the deadline.
  let lastMs = failed.wallMs;
  const affordable = () => runs < options.maxRuns && Date.now() + lastMs < options.deadline;
  const stillFails = async (candidate: number[]): Promise<SimResult | undefined> => {
    runs++;
    const r = await simulate({
      ...config,
      keep: new Set(candidate),
      checkOrchestrators: config.checkOrchestrators && invariant?.startsWith('orchestrat') === true,
    });
    lastMs = r.wallMs;
    return !r.ok && r.violations.some((v) => v.invariant === invariant) ? r : undefined;
  };
  let n = 2;
  while (keep.length >= 2 && affordable()) {
    const size = Math.ceil(keep.length / n);
    let reduced = false;
    for (let i = 0; i < keep.length && affordable(); i += size) {
      const complement = [...keep.slice(0, i), ...keep.slice(i + size)];
      if (complement.length === 0) continue;
      const r = await stillFails(complement);
      if (r) {
        keep = r.sent.length > 0 ? r.sent : complement;
        best = r;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= keep.length) break;
      n = Math.min(keep.length, n * 2);
    }
  }
  return { keep, result: best, runs };
}
