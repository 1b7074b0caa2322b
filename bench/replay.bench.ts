/**
 * Replay benchmark: a generated, time-sorted flight history replayed with `npm run send -- --file` through the local
 * hub into the app on the local host (in-memory Azurite behind a counting proxy, SQLite durable store), once round
 * robin and once keyed by origin, each on a fresh stack, checked exactly against an independent computation.
 *
 *   npm run bench:replay [-- --json] [--events 1000000] [--keys 220] [--days 90] [--partitions 4] [--seed 1]
 *                        [--batch-size 20000] [--modes round-robin,keyed] [--e2e-events 100000 (0 = skip)]
 *                        [--timeout-minutes 60] [--keep-file FILE] [--host-cpu-prof DIR]
 *                        [--window-write-delay PT10S]   (WINDOW_WRITE_DELAY of the host; unset: the default PT0S)
 *                        [--flush-interval PT1S]   (ENTITY_FLUSH_INTERVAL of the host: coalescing ingest; default PT0S)
 *                        [--tables embedded|azurite]   (what serves Table storage; default the embedded store of `npm run local`)
 *   npm run bench:replay -- --write-file flights.ndjson [--events N --keys K --days D --seed S]   (only write the history)
 *
 * How each figure is measured: docs/explanation/benchmarks.md ("Replay benchmark").
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

import { readHostJson } from '../local-host/config/readHostJson';
import { eventHubOptionsFromHostJson } from '../local-host/eventhub/eventHubOptions';
import { parseDuration } from '../src/core/duration';
import { expectedFromNdjson, keySizes } from './replay/expected';
import { writeHistoryNdjson } from './replay/history';
import { FLIGHTS_PIPELINE, type ReplayMode, replayOnce, type ReplayResult, runJsonChild } from './replay/run';
import { stopRunningStacks } from './replay/stack';

const repoRoot = resolve(__dirname, '..', '..');

interface Args {
  json: boolean;
  events: number;
  keys: number;
  days: number;
  partitions: number;
  seed: number;
  batchSize: number;
  modes: ReplayMode[];
  e2eEvents: number;
  timeoutMinutes: number;
  keepFile?: string;
  /** Only write the history to this file and stop (to replay it by hand with `npm run send`). */
  writeFile?: string;
  /** Write a CPU profile of each replay's host here (node --cpu-prof). */
  hostCpuProf?: string;
  /** WINDOW_WRITE_DELAY of the host (ISO 8601); unset: the app's default. */
  windowWriteDelay?: string;
  /** ENTITY_FLUSH_INTERVAL of the replays' host (ISO 8601); unset: the default, PT0S. */
  flushInterval?: string;
  /** What serves the replays' (and their bench:e2e's) Table storage: the embedded store of `npm run local` or Azurite in memory. */
  tables: 'azurite' | 'embedded';
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    json: false,
    events: 1_000_000,
    keys: 220,
    days: 90,
    partitions: 4,
    seed: 1,
    batchSize: 20_000,
    modes: ['round-robin', 'keyed'],
    e2eEvents: 100_000,
    timeoutMinutes: 60,
    tables: 'embedded',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (min: number): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min)
        throw new Error(`${a} expects a number >= ${min}; found ${JSON.stringify(argv[i])}`);
      return v;
    };
    if (a === '--json') out.json = true;
    else if (a === '--events') out.events = Math.round(num(1));
    else if (a === '--keys') out.keys = Math.round(num(2));
    else if (a === '--days') out.days = num(0.01);
    else if (a === '--partitions') out.partitions = Math.round(num(1));
    else if (a === '--seed') out.seed = Math.round(num(0));
    else if (a === '--batch-size') out.batchSize = Math.round(num(1));
    else if (a === '--e2e-events') out.e2eEvents = Math.round(num(0) / 1000) * 1000;
    else if (a === '--timeout-minutes') out.timeoutMinutes = num(1);
    else if (a === '--keep-file') out.keepFile = argv[++i];
    else if (a === '--write-file') out.writeFile = argv[++i];
    else if (a === '--host-cpu-prof') out.hostCpuProf = argv[++i];
    else if (a === '--window-write-delay') out.windowWriteDelay = argv[++i];
    else if (a === '--flush-interval') {
      const v = argv[++i] ?? '';
      if (parseDuration(v) === undefined)
        throw new Error(`--flush-interval expects an ISO 8601 duration like PT1S; found ${JSON.stringify(v)}`);
      out.flushInterval = v;
    } else if (a === '--tables') {
      const v = argv[++i];
      if (v !== 'azurite' && v !== 'embedded')
        throw new Error(`--tables expects azurite or embedded; found ${JSON.stringify(v)}`);
      out.tables = v;
    } else if (a === '--modes') {
      const modes = (argv[++i] ?? '').split(',').filter((m) => m !== '');
      const bad = modes.filter((m) => m !== 'round-robin' && m !== 'keyed');
      if (modes.length === 0 || bad.length > 0)
        throw new Error(
          `--modes expects round-robin, keyed or both (comma-separated); found ${JSON.stringify(argv[i])}`,
        );
      out.modes = modes as ReplayMode[];
    } else {
      throw new Error(
        `Unknown argument ${JSON.stringify(a)}; expected --json, --events N, --keys K, --days D, --partitions P, --seed S, --batch-size B, --modes M, --e2e-events N, --timeout-minutes T --keep-file FILE, --write-file FILE, --host-cpu-prof DIR, --flush-interval PT1S, --window-write-delay D or --tables azurite|embedded.`,
      );
    }
  }
  return out;
}

/** The generated file's folder, removed at the end, also when interrupted. */
let fileDir: string | undefined;

const log = (msg: string): void => {
  process.stderr.write(`[bench:replay] ${msg}\n`);
};

/**
 * bench:e2e (synthetic, current times) in a child process, as `npm run bench:e2e -- --json` runs it: its events/s; on
 * the same Table storage as the replays.
 */
function runE2e(
  events: number,
  tables: Args['tables'],
): Promise<{
  eventsPerSec: number;
  exact: boolean;
  storageRequestsPer1000Events: number;
  entityOpsPer1000Events: number;
  cpuMsPer1000Events: { host: number | null; hostMainThread?: number | null };
}> {
  return runJsonChild(
    repoRoot,
    join('bench', 'e2e.bench.js'),
    ['--json', '--events', String(events), '--latency-seconds', '0', '--tables', tables],
    'bench:e2e',
  );
}

/**
 * bench:e2e's CPU per event over a replay's (the host's, or its main thread's): the throughput ratio if both were bound
 * by that CPU alone.
 */
function cpuRatio(e2eMs: number | null | undefined, replayMs: number | null): number | null {
  return e2eMs && replayMs ? Math.round((e2eMs / replayMs) * 100) / 100 : null;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (args.writeFile) {
    const n = await writeHistoryNdjson(args.writeFile, {
      events: args.events,
      keys: args.keys,
      days: args.days,
      seed: args.seed,
    });
    log(`wrote ${n} events (${args.keys} keys, ${args.days} days, seed ${args.seed}) to ${args.writeFile}`);
    return;
  }
  const dir = (fileDir = mkdtempSync(join(tmpdir(), 'bench-replay-file-')));
  try {
    const file = join(dir, 'flights.ndjson');
    log(`generating ${args.events} events, ${args.keys} keys, ${args.days} days (seed ${args.seed})`);
    await writeHistoryNdjson(file, { events: args.events, keys: args.keys, days: args.days, seed: args.seed });
    if (args.keepFile) copyFileSync(file, args.keepFile);
    // The expectation is computed from the file as written, not from the generator's objects.
    const expected = expectedFromNdjson(readFileSync(file, 'utf8'));
    if (!expected.sorted) throw new Error('The generated history is not sorted by time.');
    const sizes = keySizes(expected);
    const windows = [...expected.keys.values()].reduce((n, k) => n + k.windows.size, 0);
    log(
      `history: ${expected.records} records, ${expected.keys.size} origins passing the filter (largest ${sizes[0]}, median ${sizes[Math.floor(sizes.length / 2)]}, smallest ${sizes[sizes.length - 1]}), ${windows} hourly windows, ${expected.filtered} filtered`,
    );

    const results: ReplayResult[] = [];
    for (const mode of args.modes) {
      results.push(
        await replayOnce({
          repoRoot,
          file,
          expected,
          mode,
          partitions: args.partitions,
          batchSize: args.batchSize,
          timeoutMs: args.timeoutMinutes * 60_000,
          log,
          ...(args.hostCpuProf ? { hostCpuProfDir: resolve(args.hostCpuProf) } : {}),
          ...(args.flushInterval ? { flushInterval: args.flushInterval } : {}),
          ...(args.windowWriteDelay ? { env: { WINDOW_WRITE_DELAY: args.windowWriteDelay } } : {}),
          tables: args.tables,
        }),
      );
      const r = results[results.length - 1]!;
      log(`${mode}: ${r.eventsPerSec} events/s, late ${r.lateDeadLetters}, exact ${r.check.exact}`);
    }
    let e2e: Awaited<ReturnType<typeof runE2e>> | null = null;
    if (args.e2eEvents > 0) {
      log(`bench:e2e with ${args.e2eEvents} events for comparison`);
      e2e = await runE2e(args.e2eEvents, args.tables);
    }

    const cpu = cpus();
    const result = {
      benchmark: 'replay',
      scenario: {
        events: expected.records,
        keys: expected.keys.size,
        days: args.days,
        seed: args.seed,
        partitions: args.partitions,
        sendBatchSize: args.batchSize,
        maxEventBatchSize: eventHubOptionsFromHostJson(readHostJson(repoRoot)).maxEventBatchSize,
        windowWriteDelay: args.windowWriteDelay ?? 'PT0S',
        entityFlushInterval: args.flushInterval ?? 'PT0S',
        tables: args.tables,
        hourlyWindows: windows,
        filtered: expected.filtered,
        largestKey: sizes[0],
        smallestKey: sizes[sizes.length - 1],
        pipeline: FLIGHTS_PIPELINE,
      },
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        memoryGb: Math.round(totalmem() / 1e8) / 10,
        freeMemoryGb: Math.round(freemem() / 1e8) / 10,
      },
      replays: results.map((r) => ({ ...r, check: { ...r.check, mismatches: r.check.mismatches.slice(0, 10) } })),
      e2e: e2e && {
        eventsPerSec: e2e.eventsPerSec,
        exact: e2e.exact,
        events: args.e2eEvents,
        storageRequestsPer1000Events: e2e.storageRequestsPer1000Events,
        entityOpsPer1000Events: e2e.entityOpsPer1000Events,
        hostCpuMsPer1000Events: e2e.cpuMsPer1000Events.host,
        hostMainThreadCpuMsPer1000Events: e2e.cpuMsPer1000Events.hostMainThread ?? null,
      },
      ratioToE2e: e2e
        ? Object.fromEntries(results.map((r) => [r.mode, Math.round((r.eventsPerSec / e2e.eventsPerSec) * 100) / 100]))
        : null,
      // The same comparison by the host's CPU per event (bench:e2e's over the replay's): less moved by scheduling.
      cpuRatioToE2e: e2e
        ? Object.fromEntries(
            results.map((r) => [r.mode, cpuRatio(e2e.cpuMsPer1000Events.host, r.hostCpuMsPer1000Events)]),
          )
        : null,
      // The same by the main thread alone, the one that saturates.
      mainThreadCpuRatioToE2e: e2e
        ? Object.fromEntries(
            results.map((r) => [
              r.mode,
              cpuRatio(e2e.cpuMsPer1000Events.hostMainThread, r.hostMainThreadCpuMsPer1000Events),
            ]),
          )
        : null,
      goals: {
        lateDeadLetters: 0,
        exact: true,
        ratioToE2e: 0.5,
        steadiness: 1,
        tableRequestsPer1000Events: { 'round-robin': 50, keyed: 30 },
      },
      durationSec: Math.round((Date.now() - started) / 1000),
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const row = (name: string, values: string[], goal: string): string =>
        `${name.padEnd(38)}${values.map((v) => v.padStart(14)).join('')}${goal.padStart(12)}`;
      console.log(
        `\nStreamfold replay: ${expected.records} flight records, ${expected.keys.size} origins, ${args.days} days, ${args.partitions} partitions, maxEventBatchSize ${result.scenario.maxEventBatchSize}, ENTITY_FLUSH_INTERVAL ${args.flushInterval ?? 'PT0S'}, WINDOW_WRITE_DELAY ${args.windowWriteDelay ?? 'PT0S'}, tables ${args.tables}, ${cpu.length} CPUs (${result.machine.cpuModel}), Node ${process.version}\n`,
      );
      console.log(
        row(
          '',
          results.map((r) => r.mode),
          'goal',
        ),
      );
      const line = (name: string, f: (r: ReplayResult) => unknown, goal = ''): void =>
        console.log(
          row(
            name,
            results.map((r) => String(f(r))),
            goal,
          ),
        );
      line(
        'events/s (send -> every key counted)',
        (r) => r.eventsPerSec,
        e2e ? `>= ${Math.round(e2e.eventsPerSec / 2)}` : '',
      );
      line(
        '  ratio to bench:e2e',
        (r) => (e2e ? Math.round((r.eventsPerSec / e2e.eventsPerSec) * 100) / 100 : '-'),
        '>= 0.5',
      );
      line('send (hub accept) events/s', (r) => r.sender.eventsPerSec);
      line('ingest events/s, first tenth', (r) => r.firstTenthEventsPerSec);
      line('ingest events/s, last tenth', (r) => r.lastTenthEventsPerSec);
      line('  last / first', (r) => r.steadiness, '>= 1');
      line('entity queue drained after ingest, s', (r) => r.drainSeconds, '');
      line('host CPU ms per 1,000 events', (r) => r.hostCpuMsPer1000Events ?? '-');
      line('  bench:e2e host CPU / this', (r) =>
        e2e ? (cpuRatio(e2e.cpuMsPer1000Events.host, r.hostCpuMsPer1000Events) ?? '-') : '-',
      );
      line('  bench:e2e main thread CPU / this', (r) =>
        e2e ? (cpuRatio(e2e.cpuMsPer1000Events.hostMainThread, r.hostMainThreadCpuMsPer1000Events) ?? '-') : '-',
      );
      line('  its main thread', (r) => r.hostMainThreadCpuMsPer1000Events ?? '-');
      line('false late dead letters', (r) => r.lateDeadLetters, '0');
      line('  listed by /api/deadletters', (r) => r.lateDeadLettersListed ?? '> cap');
      line('late at the entity (window closed)', (r) => r.check.lateAtEntity, '0');
      line('dead letters, any reason', (r) => r.deadLettered);
      line('entity ops per 1,000 events', (r) => r.entityOpsPer1000Events);
      line('Table requests per 1,000 events', (r) => r.tableRequestsPer1000Events, '<= 50 / 30');
      line('exact per-key results and windows', (r) => r.check.exact, 'true');
      line('  keys wrong', (r) => `${r.check.keysWrong}/${r.check.keysChecked}`);
      line('  keys with events lost or doubled', (r) => r.check.keysUnaccounted, '0');
      line(
        '  windows missing/wrong/extra',
        (r) => `${r.check.windowsMissing}/${r.check.windowsWrong}/${r.check.windowsExtra}`,
      );
      line('  windows checked (closed)', (r) => `${r.check.windowsChecked} (${r.check.windowsClosed})`);
      console.log(
        `\nbench:e2e in the same run: ${e2e ? `${e2e.eventsPerSec} events/s (${args.e2eEvents} events, exact ${e2e.exact}), host CPU ${e2e.cpuMsPer1000Events.host ?? '-'} ms per 1,000 events (main thread ${e2e.cpuMsPer1000Events.hostMainThread ?? '-'})` : 'skipped (--e2e-events 0)'}`,
      );
      for (const r of results) {
        console.log(
          `Table requests per 1,000 events by table, ${r.mode}: ${JSON.stringify(r.tableRequestsPer1000EventsByTable)}`,
        );
        for (const m of r.check.mismatches.slice(0, 20)) console.log(`  MISMATCH (${r.mode}) ${m}`);
      }
    }
    // Exactness is the bench's contract; the false late count is reported, not enforced (it is the figure to drive to 0).
    if (results.some((r) => !r.check.exact) || (e2e && !e2e.exact)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Ctrl-C or a kill: stop the host and Azurite of the replay in progress (they are child processes) before going.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the host and Azurite`);
    void stopRunningStacks().finally(() => {
      if (fileDir) rmSync(fileDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:replay failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
