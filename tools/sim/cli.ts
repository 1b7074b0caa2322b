import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { MemoryStore } from '../../local-host/durable/store/memoryStore';
import { SqliteStore } from '../../local-host/durable/store/sqliteStore';
import { startSimHost } from './appHost';
import { compareSchedules } from './compareSchedules';
import { checkRecordedOrchestrations } from './determinism/checkApp';
import { describeCheck } from './determinism/replayCheck';
import { shrink } from './shrink';
import { INVARIANTS, type SimConfig, type SimResult, simulate } from './simulate';

const repoRoot = resolve(__dirname, '..', '..', '..');

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected ${name} to be a non-negative integer, found ${JSON.stringify(v)}`);
  return n;
};
const idList = (v: string) => {
  const ids = v
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
  if (ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new InvalidArgumentError(`expected --keep to be event ids like 3,17,40, found ${JSON.stringify(v)}`);
  return ids;
};

interface Options {
  seed: number;
  seeds: number;
  steps: number;
  json?: boolean;
  faults: boolean;
  plantedBug?: 'commit-pending-twice';
  keep?: number[];
  ndjson?: string;
  scheduleSeed?: number;
  compareSchedules?: number;
  orchestrators: boolean;
  shrink: boolean;
  shrinkRuns: number;
  shrinkSeconds: number;
  verbose?: boolean;
}

/** The command that replays `config` exactly (what a failure prints). */
export function replayCommand(config: SimConfig, keep?: readonly number[]): string {
  const parts = ['npm run sim --', `--seed ${config.seed}`, `--steps ${config.steps}`];
  if (config.scheduleSeed !== undefined && config.scheduleSeed !== config.seed)
    parts.push(`--schedule-seed ${config.scheduleSeed}`);
  if (!config.faults) parts.push('--no-faults');
  if (config.plantedBug) parts.push(`--planted-bug ${config.plantedBug}`);
  if (config.ndjsonFile) parts.push(`--ndjson ${config.ndjsonFile}`);
  if (!config.checkOrchestrators) parts.push('--no-orchestrators');
  if (keep) parts.push(`--keep ${keep.join(',')}`);
  return parts.join(' ');
}

interface Failure {
  seed: number;
  step: number;
  invariant: string;
  message: string;
  shrunk?: { events: number; of: number; runs: number; trace: string[] };
  replay: string;
}

async function failureOf(config: SimConfig, r: SimResult, o: Options): Promise<Failure> {
  const first = r.violations[0]!;
  const failure: Failure = {
    seed: r.seed,
    step: first.step,
    invariant: first.invariant,
    message: first.message,
    replay: replayCommand(config, config.keep ? [...config.keep] : undefined),
  };
  if (!o.shrink) return failure;
  const s = await shrink(config, r, { maxRuns: o.shrinkRuns, deadline: Date.now() + o.shrinkSeconds * 1000 });
  const v = s.result.violations.find((x) => x.invariant === first.invariant) ?? first;
  return {
    ...failure,
    step: v.step,
    message: v.message,
    shrunk: { events: s.keep.length, of: r.sent.length, runs: s.runs, trace: traceLines(s.result, s.keep) },
    // A shrink that kept every event replays as the original run.
    replay: replayCommand(config, s.keep.length < r.sent.length ? s.keep : config.keep ? [...config.keep] : undefined),
  };
}

/** Trace lines printed at most (a long run whose shrink had no time left keeps every event). */
const MAX_TRACE_LINES = 200;

function traceLines(r: SimResult, keep: readonly number[]): string[] {
  const kept = new Set(keep);
  const lines = r.trace
    .filter((t) => kept.has(t.id))
    .map((t) => `#${t.id} partition ${t.partition} seq ${t.sequence} at ${new Date(t.at).toISOString()}: ${t.body}`);
  return lines.length <= MAX_TRACE_LINES
    ? lines
    : [
        ...lines.slice(0, MAX_TRACE_LINES),
        `... ${lines.length - MAX_TRACE_LINES} more (the replay command sends them all)`,
      ];
}

function printFailure(f: Failure): void {
  console.log(`FAILED seed ${f.seed} at step ${f.step}: ${f.invariant}: ${f.message}`);
  if (f.shrunk) {
    console.log(`shrunk trace: ${f.shrunk.events} of ${f.shrunk.of} events (${f.shrunk.runs} runs)`);
    for (const line of f.shrunk.trace) console.log(`  ${line}`);
  }
  console.log(`replay: ${f.replay}`);
}

async function runSeeds(o: Options): Promise<void> {
  const ndjson = o.ndjson === undefined ? undefined : readFileSync(o.ndjson, 'utf8');
  const total: Record<string, number> = {};
  const failures: Failure[] = [];
  let steps = 0;
  let events = 0;
  let simMs = 0;
  const started = performance.now();
  const runs: SimResult[] = [];
  for (let seed = o.seed; seed < o.seed + o.seeds; seed++) {
    const config: SimConfig = {
      seed,
      steps: o.steps,
      appDir: repoRoot,
      faults: o.faults,
      checkOrchestrators: o.orchestrators,
      ...(o.verbose ? { debug: (line: string) => console.error(line) } : {}),
      ...(o.scheduleSeed === undefined ? {} : { scheduleSeed: o.scheduleSeed }),
      ...(o.plantedBug ? { plantedBug: o.plantedBug } : {}),
      ...(o.keep ? { keep: new Set(o.keep) } : {}),
      ...(ndjson === undefined ? {} : { ndjson, ndjsonFile: o.ndjson }),
    };
    const r = await simulate(config);
    runs.push(r);
    steps += r.steps;
    events += r.events;
    simMs += r.wallMs;
    for (const [k, v] of Object.entries(r.faults)) total[k] = (total[k] ?? 0) + v;
    if (!r.ok) {
      // Only the first failure is shrunk (shrinking reruns the seed many times); the others print their replay.
      const f = await failureOf(config, r, failures.length === 0 ? o : { ...o, shrink: false });
      failures.push(f);
      if (!o.json) printFailure(f);
    } else if (!o.json && o.seeds > 1)
      process.stdout.write(`seed ${seed}: ok (${r.events} events, ${r.crashes} crashes)\n`);
  }
  const compare = o.compareSchedules
    ? await compareSchedules({ seed: o.seed, steps: o.steps, appDir: repoRoot, schedules: o.compareSchedules })
    : undefined;
  const wallMs = performance.now() - started;
  const stepsPerSec = Math.round(steps / (simMs / 1000));
  const held = failures.length === 0 && (compare?.identical ?? true);
  // --no-orchestrators skips these two: the output must not claim them held.
  const skipped: readonly string[] = o.orchestrators ? [] : ['orchestrator-deterministic', 'orchestration-completes'];
  const summary = {
    ok: held,
    seeds: { from: o.seed, count: o.seeds },
    steps,
    events,
    stepsPerSec,
    wallSeconds: Number((wallMs / 1000).toFixed(2)),
    invariants: INVARIANTS.map((name) => ({
      name,
      held: !failures.some((f) => f.invariant === name),
      ...(skipped.includes(name) ? { skipped: true } : {}),
    })),
    faults: Object.fromEntries(Object.entries(total).sort()),
    crashes: runs.reduce((n, r) => n + r.crashes, 0),
    orchestrations: {
      checked: runs.reduce((n, r) => n + r.orchestrations.checked, 0),
      failures: runs.flatMap((r) => r.orchestrations.failures),
    },
    ...(o.seeds === 1 ? { results: runs[0]?.results, digest: runs[0]?.digest } : {}),
    ...(compare ? { scheduleIndependence: compare } : {}),
    failures,
  };
  if (o.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(
      `${o.seeds} seed(s) from ${o.seed}, ${o.steps} steps each: ${events} events, ${summary.crashes} crashes, ${stepsPerSec} steps/s (${summary.wallSeconds} s)`,
    );
    console.log(
      `faults by kind: ${
        Object.entries(summary.faults)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }`,
    );
    console.log(
      `orchestrations replayed: ${summary.orchestrations.checked}, non-deterministic: ${summary.orchestrations.failures.length}`,
    );
    if (compare)
      console.log(
        `schedule-only seeds ${compare.scheduleSeeds.join(', ')}: ${compare.identical ? `identical results (digest ${compare.digests[0]})` : `DIFFERENT results: ${compare.difference}`}`,
      );
    console.log(
      held
        ? `invariants held: ${INVARIANTS.filter((i) => !skipped.includes(i)).join(', ')}${skipped.length ? `; not checked (--no-orchestrators): ${skipped.join(', ')}` : ''}`
        : `${failures.length} seed(s) failed`,
    );
  }
  process.exitCode = held ? 0 : 1;
}

async function checkOrchestrators(o: { app: string; durableStore?: string; json?: boolean }): Promise<void> {
  const store = o.durableStore ? new SqliteStore(resolve(o.durableStore)) : new MemoryStore();
  const settings: Record<string, string | undefined> = { ...process.env };
  try {
    Object.assign(
      settings,
      (JSON.parse(readFileSync(resolve(o.app, 'local.settings.json'), 'utf8')) as { Values?: Record<string, string> })
        .Values ?? {},
    );
  } catch {
    // no local.settings.json
  }
  const host = await startSimHost({ appDir: resolve(o.app), settings, store, now: Date.now });
  try {
    const checks = await checkRecordedOrchestrations(host, store);
    const failed = checks.filter((c) => !c.ok);
    if (o.json) console.log(JSON.stringify({ ok: failed.length === 0, checked: checks.length, checks }, null, 2));
    else {
      for (const c of checks) console.log(describeCheck(c));
      console.log(`${checks.length} orchestration instance(s) replayed, ${failed.length} not deterministic`);
    }
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    host.crash();
    host.unroute();
    store.close();
  }
}

export const program = new Command('sim')
  .enablePositionalOptions()
  .description(
    'Deterministic simulation of the whole pipeline, and the orchestrator non-determinism check (docs/explanation/simulator.md)',
  )
  .option('--seed <n>', 'the (first) seed', int('--seed'), 1)
  .option('--seeds <n>', 'how many consecutive seeds to run', int('--seeds'), 1)
  .option('--steps <n>', 'scheduler steps per seed before the drain', int('--steps'), 1000)
  .option('--json', 'print one JSON object')
  .option('--no-faults', 'no faults, on-time valid events')
  .option('--schedule-seed <n>', 'seed the schedule alone (workload and faults keep --seed)', int('--schedule-seed'))
  .option(
    '--compare-schedules <n>',
    'also run --seed fault-free under n schedule-only seeds and require identical results',
    int('--compare-schedules'),
  )
  .option('--keep <ids>', 'send only these workload events (a shrunk trace)', idList)
  .option('--ndjson <file>', 'the workload: one event body per line')
  .option('--no-orchestrators', 'skip the analysis run and the orchestrator replay check at the end')
  .option('--verbose', "print the scheduler's decisions")
  .option('--no-shrink', 'print failures without shrinking them')
  .option('--shrink-runs <n>', 'most runs one shrink may take', int('--shrink-runs'), 40)
  .option('--shrink-seconds <n>', 'most seconds one shrink may take', int('--shrink-seconds'), 120)
  .option(
    '--planted-bug <name>',
    'test only: plant a bug the simulator must find (commit-pending-twice)',
    (v: string) => {
      if (v !== 'commit-pending-twice')
        throw new InvalidArgumentError(`expected commit-pending-twice, found ${JSON.stringify(v)}`);
      return v;
    },
  )
  .action(async (o: Options) => runSeeds(o));
program
  .command('check-orchestrators')
  .description(
    "replay every orchestration a durable store recorded through the app's orchestrators, at a shifted clock and another random seed",
  )
  .requiredOption('--app <dir>', 'the function app (its package.json main names the built entry files)')
  .option('--durable-store <file>', "a local host durable store (SQLite, under the host's --data-dir)")
  .option('--json', 'print one JSON object')
  .action(async (o: { app: string; durableStore?: string; json?: boolean }) => checkOrchestrators(o));

if (require.main === module) {
  // Source-mapped stack lines for the check's reports; the simulation itself reloads the app often and runs without
  // (parsing every module's map on each reload costs more than the run): its reports name the built files' lines.
  if (process.argv.includes('check-orchestrators')) process.setSourceMapsEnabled(true);
  let finished = false;
  // An await that never settles leaves Node nothing to do: it would exit silently with status 0.
  process.on('exit', () => {
    if (finished) return;
    console.error(
      'sim: the run stopped with work still awaited and nothing left to run (a hang in the simulated app or the simulator)',
    );
    process.exitCode = 3;
  });
  program
    .parseAsync()
    .then(() => (finished = true))
    .catch((e: unknown) => {
      finished = true;
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    });
}
