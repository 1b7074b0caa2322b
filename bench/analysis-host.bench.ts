/**
 * Time to analyse N streams x W windows (default 1,000 x 500) ON THE LOCAL HOST: Azurite on free
 * ports, the Streamfold app under `dist/local-host/cli.js --store sqlite`, the Windows table and the
 * Streams catalog seeded through src/storage's Table stores (closed windows exactly as the stream
 * entity writes them, a few streams with a planted anomaly), then POST /api/analyses and polling
 * GET /api/analyses/{id}. Reports wall time, streams/s, windows/s, activities per stream (counted
 * from the orchestration histories), sub-orchestrations, report size and alerts on the `alerts` hub,
 * next to a baseline measured in the same run: the same analysis of the same data in process
 * (src/core/analysis), so the host + durable + storage overhead is visible. The host's report is
 * checked against the baseline's (same ranking, planted streams first). `--json` prints one object.
 * Needs `npm run build`; run `node dist/bench/analysis-host.bench.js --help` for the flags.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

import { startAzurite } from '../local-host/azurite/startAzurite';
import { encodeStreamKey } from '../src/core/streams';
import { CORRELATION_TOP_N, planChunks } from '../src/functions/analysis/plan';
import { compareStreamKeys } from '../src/storage/compareStreamKeys';
import { createStores } from '../src/storage/createStores';
import { countActivities } from './analysis-host/countActivities';
import { childPids, cpuSeconds } from './analysis-host/cpuSeconds';
import { inProcessBaseline } from './analysis-host/inProcessBaseline';
import { parseOptions } from './analysis-host/options';
import { runAnalysis } from './analysis-host/runAnalysis';
import { seedTables } from './analysis-host/seed';
import { BENCH_T0, streamSpecs, WINDOW_MS } from './analysis-host/syntheticStream';
import { type HostChild, startHostChild } from './e2e/hostChild';

const PIPELINE = 'bench';
// Compiled to dist/bench/: the app (package.json main = dist/src/functions/**) is two levels up.
const repoRoot = resolve(__dirname, __dirname.includes(`${sep}dist${sep}`) ? '../..' : '..');
const log = (text: string): void => void process.stderr.write(`${text}\n`);
const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function hubEvents(baseUrl: string, hub: string): Promise<number> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/${hub}`);
  if (!res.ok) throw new Error(`GET /runtime/eventhubs/${hub}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: number }).events;
}

/**
 * Median time of one stream's window query at the seeded table size (the storage read each stream
 * costs), and of a query for a stream that does not exist: it returns nothing, so its time is the
 * emulator's cost of finding a partition (a scan, if it grows with the table) without the rows.
 */
async function windowQueryMs(
  env: NodeJS.ProcessEnv,
  streams: readonly string[],
): Promise<{ stream: number; missing: number; rangePage: number }> {
  const store = createStores(env).windows;
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = async (stream: string, expectRows: boolean): Promise<number> => {
    const t = process.hrtime.bigint();
    const page = await store.query(encodeStreamKey(PIPELINE, stream), { limit: 1000 });
    if (page.items.length > 0 !== expectRows)
      throw new Error(`expected ${expectRows ? 'windows' : 'no windows'} for ${stream}, found ${page.items.length}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  // One page (1,000 windows) of the range query a chunk makes over its streams.
  const [fromStream, toStream] = [...streams]
    .sort(compareStreamKeys)
    .filter((_, i, all) => i === 0 || i === all.length - 1) as [string, string];
  const timeRange = async (): Promise<number> => {
    const t = process.hrtime.bigint();
    const page = await store.queryRange({ pipeline: PIPELINE, fromStream, toStream, limit: 1000 });
    if (page.items.length === 0) throw new Error(`expected windows between ${fromStream} and ${toStream}, found none`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const found: number[] = [];
  const missing: number[] = [];
  const ranges: number[] = [];
  for (const stream of streams) {
    found.push(await time(stream, true));
    missing.push(await time(`${stream}-missing`, false));
    ranges.push(await timeRange());
  }
  return { stream: median(found), missing: median(missing), rangePage: median(ranges) };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv);
  if (!existsSync(join(repoRoot, 'dist', 'local-host', 'cli.js')))
    throw new Error('dist/local-host/cli.js is missing: run `npm run build` first.');
  const specs = streamSpecs(o.streams, o.planted);
  const range = {
    from: new Date(BENCH_T0).toISOString(),
    to: new Date(BENCH_T0 + o.windows * WINDOW_MS).toISOString(),
  };
  const totalWindows = o.streams * o.windows;
  const dataDir = mkdtempSync(join(tmpdir(), 'analysis-host-bench-'));
  const azurite = await startAzurite({ inMemory: true, ports: 0, timeoutMs: 60_000 });
  let host: HostChild | undefined;
  try {
    const env = { AzureWebJobsStorage: azurite.connectionString };
    log(`seeding ${o.streams} streams x ${o.windows} windows (${o.planted} planted) into Azurite...`);
    const seed = await seedTables(env, PIPELINE, specs, o.windows, o.eventsPerWindow, o.seedConcurrency, (done) => {
      if (done % Math.max(1, Math.floor(o.streams / 10)) === 0) log(`  ${done}/${o.streams} streams`);
    });
    const queryMs = await windowQueryMs(
      env,
      specs.slice(0, 5).map((s) => s.name),
    );

    // Before the host starts, so the baseline has the CPU to itself.
    log('in-process baseline...');
    const baseline = inProcessBaseline(PIPELINE, specs, o.windows, o.eventsPerWindow, range);

    log('starting the host...');
    host = await startHostChild({
      repoRoot,
      appDir: repoRoot,
      args: ['--no-azurite', '--store', 'sqlite', '--data-dir', dataDir],
      env: { ...env, ANALYSIS_SCHEDULE: '' },
    });
    const hubBefore = await hubEvents(host.baseUrl, 'alerts');
    // CPU of each process during the analysis: which one is saturated tells what limits the run.
    const azuritePid = childPids(process.pid, 'azurite')[0];
    const cpuBefore = { azurite: cpuSeconds(azuritePid), host: cpuSeconds(host.child.pid) };
    log(`analysing on ${host.baseUrl}...`);
    let lastLogged = -1;
    const run = await runAnalysis(
      host.baseUrl,
      { pipeline: PIPELINE, from: range.from, to: range.to },
      o.pollMs,
      (p) => {
        if (p.chunksDone !== lastLogged) log(`  ${p.phase} ${p.chunksDone}/${p.chunksTotal} chunks`);
        lastLogged = p.chunksDone;
      },
    );
    const cpuAfter = { azurite: cpuSeconds(azuritePid), host: cpuSeconds(host.child.pid) };
    const cpuDuring = (k: 'azurite' | 'host'): number | null =>
      cpuBefore[k] === null || cpuAfter[k] === null ? null : round(cpuAfter[k]! - cpuBefore[k]!, 1);
    const activities = await countActivities(host.baseUrl, run.id);
    const hubAfter = await hubEvents(host.baseUrl, 'alerts');

    const planted = new Set(specs.filter((s) => s.planted).map((s) => s.name));
    const topHost = run.report.ranking.slice(0, planted.size).map((r) => r.stream);
    const rankingKey = (r: typeof run.report) =>
      JSON.stringify(r.ranking.map((x) => [x.stream, x.anomalies, round(x.maxSeverity, 6)]));
    const result = {
      streams: o.streams,
      windowsPerStream: o.windows,
      eventsPerWindow: o.eventsPerWindow,
      plantedStreams: o.planted,
      node: process.version,
      cpus: cpus().length,
      seeding: {
        ms: round(seed.ms),
        rows: seed.rows,
        rowsPerSec: round(seed.rows / (seed.ms / 1000)),
        dataMB: round(seed.dataChars / 1e6, 1),
        windowQueryMsAtThisSize: round(queryMs.stream, 1),
        emptyQueryMsAtThisSize: round(queryMs.missing, 1),
        rangePageMsAtThisSize: round(queryMs.rangePage, 1),
      },
      host: {
        wallMs: run.wallMs,
        instanceMs: run.instanceMs,
        streamsPerSec: round(o.streams / (run.instanceMs / 1000), 1),
        windowsPerSec: round(totalWindows / (run.instanceMs / 1000)),
        phasesMs: activities.phasesMs,
        cpuSecondsDuringAnalysis: {
          azurite: cpuDuring('azurite'),
          host: cpuDuring('host'),
          wall: round(run.wallMs / 1000, 1),
        },
        // Requests to the Windows table: each chunk's range query in pages of 1,000 windows, then the
        // correlation's per-stream re-reads (derived from the plan: the chunks never fall back here, all streams are listed).
        windowQueries:
          planChunks([...specs.map((s) => s.name)].sort(compareStreamKeys)).chunks.reduce(
            (n, c) => n + Math.ceil((c.length * o.windows) / 1000),
            0,
          ) +
          Math.min(CORRELATION_TOP_N, o.streams) * Math.ceil(o.windows / 1000),
        activities: activities.total,
        activitiesPerStream: round(activities.total / o.streams, 4),
        activitiesByFunction: activities.byFunction,
        subOrchestrations: activities.subOrchestrations,
        parentHistoryEvents: activities.parentHistoryEvents,
        largestSubHistoryEvents: activities.largestSubHistoryEvents,
        reportBytes: run.reportBytes,
        reportGetMs: run.reportGetMs,
        progressUpdates: run.progressSeen.length,
        alertsOnHub: hubAfter - hubBefore,
      },
      baseline: {
        label: 'same analysis in process (fromStoredWindow + analyzeStream + buildReport)',
        ms: round(baseline.ms),
        streamsPerSec: round(o.streams / (baseline.ms / 1000), 1),
        windowsPerSec: round(totalWindows / (baseline.ms / 1000)),
      },
      hostOverBaseline: round(run.instanceMs / baseline.ms, 1),
      check: {
        sameRankingAsBaseline: rankingKey(run.report) === rankingKey(baseline.report),
        sameAnomalyCount: run.report.anomalyCount === baseline.report.anomalyCount,
        plantedRankedFirst: topHost.every((s) => planted.has(s)) && topHost.length === planted.size,
      },
    };
    if (o.json) {
      console.log(JSON.stringify(result));
    } else {
      const h = result.host;
      console.log(
        `analysis of ${o.streams} streams x ${o.windows} windows on the local host (${process.version}, ${result.cpus} cores)`,
      );
      console.log(
        `  seeding (not part of the analysis): ${result.seeding.ms} ms, ${result.seeding.rowsPerSec} rows/s, ${result.seeding.dataMB} MB of window JSON; one stream's window query then takes ${result.seeding.windowQueryMsAtThisSize} ms, a query finding nothing ${result.seeding.emptyQueryMsAtThisSize} ms, one page of a chunk's range query ${result.seeding.rangePageMsAtThisSize} ms`,
      );
      console.log(
        `  host:     ${h.instanceMs} ms (client wall ${h.wallMs} ms)  ${h.streamsPerSec} streams/s  ${h.windowsPerSec} windows/s`,
      );
      console.log(
        `  baseline: ${result.baseline.ms} ms  ${result.baseline.streamsPerSec} streams/s  ${result.baseline.windowsPerSec} windows/s  (${result.baseline.label})`,
      );
      console.log(`  host / baseline: x${result.hostOverBaseline}`);
      console.log(
        `  phases (ms): ${JSON.stringify(h.phasesMs)}; CPU seconds during the analysis: ${JSON.stringify(h.cpuSecondsDuringAnalysis)}; ${h.windowQueries} Windows-table requests`,
      );
      console.log(
        `  activities: ${h.activities} (${h.activitiesPerStream} per stream) ${JSON.stringify(h.activitiesByFunction)}; sub-orchestrations: ${h.subOrchestrations}; history events: parent ${h.parentHistoryEvents}, largest sub ${h.largestSubHistoryEvents}`,
      );
      console.log(
        `  report: ${h.reportBytes} bytes (GET ${h.reportGetMs} ms); progress updates seen: ${h.progressUpdates}; alerts on the hub: ${h.alertsOnHub}`,
      );
      console.log(`  check: ${JSON.stringify(result.check)}`);
    }
    if (!Object.values(result.check).every(Boolean)) process.exitCode = 2;
  } finally {
    await host?.stop();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
