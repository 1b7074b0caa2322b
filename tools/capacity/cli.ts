#!/usr/bin/env node
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { parseDuration } from '../../src/core/duration';
import { formatBasis, formatCapacity } from './format';
import { type BenchFigures, type BenchSnapshot, type CapacityInput, capacityModel } from './model';

/** This file runs as dist/tools/capacity/cli.js; the snapshot is read from (and written to) the sources. */
const repoRoot = resolve(__dirname, '..', '..', '..');
export const SNAPSHOT_PATH = 'tools/capacity/benchSnapshot.json';

const positive =
  (name: string) =>
  (value: string): number => {
    const v = Number(value);
    if (!Number.isFinite(v) || v <= 0)
      throw new InvalidArgumentError(`${name} must be a positive number; found ${JSON.stringify(value)}.`);
    return v;
  };
const duration =
  (name: string) =>
  (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined)
      throw new InvalidArgumentError(`${name} must be an ISO 8601 duration like PT2S; found ${JSON.stringify(value)}.`);
    return ms;
  };
const memory = (value: string): 512 | 2048 | 4096 => {
  if (value !== '512' && value !== '2048' && value !== '4096')
    throw new InvalidArgumentError(`--instance-memory must be 512, 2048 or 4096; found ${JSON.stringify(value)}.`);
  return Number(value) as 512 | 2048 | 4096;
};

export const program = new Command('capacity')
  .description(
    'Estimates what a load needs on Azure, per durable backend: entity operations/s, orchestration actions/s, Table ' +
      'transactions/s by table, Event Hubs units, scheduler capacity units, Flex instances and a monthly cost, from a ' +
      `model (tools/capacity/model.ts) and the local benchmarks' figures (${SNAPSHOT_PATH}). See docs/explanation/capacity.md.`,
  )
  .option('--events-per-sec <n>', 'events per second into the events hub', positive('--events-per-sec'), 100_000)
  .option('--streams <n>', 'distinct streams (pipeline, stream) receiving events', positive('--streams'), 10_000)
  .option('--partitions <n>', 'partitions of the events hub', positive('--partitions'), 32)
  .option('--batch <n>', 'host.json eventHubs.maxEventBatchSize', positive('--batch'), 8000)
  .option(
    '--flush-interval <duration>',
    'ENTITY_FLUSH_INTERVAL (ISO 8601; PT0S = one entity operation per stream per batch)',
    duration('--flush-interval'),
    0,
  )
  .option(
    '--analysis-every <duration>',
    'time between scheduled analyses (ANALYSIS_SCHEDULE)',
    duration('--analysis-every'),
    3_600_000,
  )
  .option('--window <duration>', "the pipeline's window size", duration('--window'), 60_000)
  .option('--instance-memory <mb>', 'Flex Consumption instance memory (512, 2048 or 4096)', memory, 2048)
  .option('--json', 'print one JSON object instead of the table', false)
  .option(
    '--from-bench',
    `re-measure: run npm run bench:e2e -- --json (built code) and rewrite ${SNAPSHOT_PATH} with the date and commit, then estimate`,
    false,
  )
  .option(
    '--bench-events <n>',
    // Enough for several catalog refresh intervals (5 s) even on a quiet machine, so the Streams and StreamActivity
    // figures are measured rather than missed.
    'events of the throughput phase when --from-bench runs the bench',
    positive('--bench-events'),
    200_000,
  );

interface Options {
  eventsPerSec: number;
  streams: number;
  partitions: number;
  batch: number;
  flushInterval: number;
  analysisEvery: number;
  window: number;
  instanceMemory: 512 | 2048 | 4096;
  json: boolean;
  fromBench: boolean;
  benchEvents: number;
}

export function inputOf(o: Options): CapacityInput {
  return {
    eventsPerSec: o.eventsPerSec,
    streams: Math.round(o.streams),
    partitions: Math.round(o.partitions),
    batch: Math.round(o.batch),
    flushIntervalMs: o.flushInterval,
    analysisEveryMinutes: o.analysisEvery / 60_000,
    windowSeconds: o.window / 1000,
    instanceMemoryMB: o.instanceMemory,
  };
}

/** Parses CLI arguments (without node and the script) into the model's input; used by the docs test too. */
export function parseCapacityArgs(argv: string[]): { input: CapacityInput; options: Options } {
  const options = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  for (const o of program.options) options.addOption(o);
  const opts = options.parse(argv, { from: 'user' }).opts<Options>();
  return { input: inputOf(opts), options: opts };
}

export function readSnapshot(root = repoRoot): BenchSnapshot {
  return JSON.parse(readFileSync(join(root, SNAPSHOT_PATH), 'utf8')) as BenchSnapshot;
}

function remeasure(events: number): BenchSnapshot {
  const command = ['dist/bench/e2e.bench.js', '--json', '--events', String(events), '--latency-seconds', '5'];
  process.stderr.write(`capacity: running node ${command.join(' ')} (build first: npm run build)...\n`);
  const run = spawnSync(process.execPath, command, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{'))
    throw new Error(
      `bench:e2e failed (exit ${run.status}); expected a JSON line on stdout, found ${JSON.stringify(last.slice(0, 200))}`,
    );
  const e2e = JSON.parse(last) as BenchFigures & Record<string, unknown>;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: the snapshot says so.
  }
  const keep = [
    'scenario',
    'machine',
    'eventsPerSec',
    'p99Ms',
    'cpuMsPer1000Events',
    'entityOpsPer1000Events',
    'storageRequestsPer1000Events',
    'tableRequestsPer1000EventsByTable',
    'exact',
  ];
  const snapshot: BenchSnapshot & { note: string } = {
    measuredAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    command: `node ${command.join(' ')}`,
    note: 'CPU per event is the figure the model uses; events/s depends on the machine and its load',
    e2e: Object.fromEntries(keep.filter((k) => k in e2e).map((k) => [k, e2e[k]])) as unknown as BenchFigures,
  };
  writeFileSync(join(repoRoot, SNAPSHOT_PATH), `${JSON.stringify(snapshot, null, 2)}\n`);
  process.stderr.write(`capacity: wrote ${SNAPSHOT_PATH}\n`);
  return snapshot;
}

function main(): void {
  const opts = program.parse().opts<Options>();
  const snapshot = opts.fromBench ? remeasure(Math.round(opts.benchEvents)) : readSnapshot();
  const result = capacityModel(inputOf(opts), snapshot.e2e);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ...result, bench: { measuredAt: snapshot.measuredAt, commit: snapshot.commit, command: snapshot.command } })}\n`,
    );
    return;
  }
  const i = result.input;
  process.stdout.write(
    `${i.eventsPerSec.toLocaleString('en-US')} events/s, ${i.streams.toLocaleString('en-US')} streams, ${i.partitions} partitions, batch ${i.batch}, flush interval ${i.flushIntervalMs / 1000} s\n\n${formatCapacity(result)}\n\n${formatBasis(snapshot)}\n`,
  );
}

// Only when run as a program: tools/docs imports `program` for docs/reference/cli.md, the docs test parseCapacityArgs.
if (require.main === module) {
  try {
    main();
  } catch (err: unknown) {
    process.stderr.write(`capacity: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
