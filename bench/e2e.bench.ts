/**
 * End-to-end benchmark: producer -> local event hub -> ingest -> stream entities -> queryable state, on the local
 * host (dist/local-host/cli.js, a child process) with a real Azurite behind a counting loopback proxy.
 *
 *   npm run bench:e2e [-- --json] [--events 200000] [--latency-seconds 15] [--latency-rate 0] [--profile | --profile-out host.cpuprofile]
 *                     [--min-batch N] [--max-wait 00:00:00.500]   (experiment: host.json eventHubs.minEventBatchSize /
 *                     maxWaitTime in a temporary copy of the app)
 *                     [--flush-interval PT1S]   (ENTITY_FLUSH_INTERVAL of the host: coalescing ingest)
 *                     [--flush-sweep]   (one run each at ENTITY_FLUSH_INTERVAL PT0S, PT1S and PT5S, in child processes;
 *                     prints entity operations per 1,000 events and p99 latency side by side)
 *                     [--tables azurite|embedded]   (Table storage: Azurite in memory, or the embedded store of npm run local)
 *
 * Scenario: 100 streams, ~150-byte events, host.json's maxEventBatchSize (8000), 4 partitions, sqlite durable store.
 * - Throughput: N events POSTed as NDJSON (1,000 per request, 4 requests in flight); the clock stops when the hub
 *   is drained AND every stream's live view (its entity) counts what was sent. events/s = N / (visible - first send).
 * - Latency: while a paced background load runs, probe events go to dedicated streams; each is timed
 *   from the start of its POST until GET /api/streams/default/probe-<k> shows it (4 probe streams, one probe
 *   outstanding on each; polled every 20 ms, so up to +20 ms).
 * - Entity operations per 1,000 events: /api/metrics (ingest's own count of signals, one per stream per batch).
 * - Storage requests per 1,000 events: every HTTP request to Azurite during the throughput phase, counted by the
 *   proxy. The durable store is SQLite (local file), not storage requests.
 * - Table requests per 1,000 events by table: the app's own count per TableClient (STREAMFOLD_LOCAL_TABLE_REQUEST_COUNTS,
 *   src/storage/tableRequestCounts.ts), so an entity-group transaction is attributed to its table (the proxy sees `$batch`).
 * - Baselines in the same run: raw local-hub append (in process, same file logs and fsync, no HTTP, no app) and the
 *   entity-operation count of signalling once per event (1,000 per 1,000 events by construction).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startAzurite } from '../local-host/azurite/startAzurite';
import { readHostJson } from '../local-host/config/readHostJson';
import { eventHubOptionsFromHostJson } from '../local-host/eventhub/eventHubOptions';
import { LocalHub } from '../local-host/eventhub/localHub';
import { startLocalStorage } from '../local-host/tables/startLocalStorage';
import { parseDuration } from '../src/core/duration';
import { TABLE_REQUEST_COUNTS_SETTING } from '../src/storage/tableRequestCounts';
import { RateLimiter } from '../tools/send/rateLimiter';
import { appWithEventHubOptions } from './e2e/appWithHostJson';
import { benchEvent, benchStream } from './e2e/benchEvent';
import { type HostChild, startHostChild } from './e2e/hostChild';
import { percentile } from './e2e/percentile';
import { cpuMsPer1000, processCpuMs } from './e2e/processCpuMs';
import { portsOf, startStorageProxy } from './e2e/storageProxy';
import { readTableRequestCounts, tableRequestsPer1000 } from './e2e/tableRequestCounts';
import { topAreas, topFunctions } from './e2e/topFunctions';

const repoRoot = resolve(__dirname, '..', '..');
const probeStreams = 4;
const probePollMs = 20;

interface Args {
  json: boolean;
  events: number;
  latencySeconds: number;
  latencyRate: number;
  profile: boolean;
  /** Keep the host's .cpuprofile here (open it in Chrome DevTools). */
  profileOut?: string;
  streams: number;
  /** Experiment: host.json eventHubs.minEventBatchSize for this run (0 = the repo's host.json as is). */
  minBatch: number;
  /** Experiment: host.json eventHubs.maxWaitTime (a TimeSpan) for this run. */
  maxWait?: string;
  /** ENTITY_FLUSH_INTERVAL of the host (ISO 8601); unset: the default PT0S. */
  flushInterval?: string;
  /** Run at each of FLUSH_SWEEP and compare. */
  flushSweep: boolean;
  /** What serves Table storage behind the proxy: Azurite in memory (default) or the embedded store of `npm run local`. */
  tables: 'azurite' | 'embedded';
}

/** The intervals `--flush-sweep` compares: today's behaviour, 1 s and 5 s. */
const FLUSH_SWEEP = ['PT0S', 'PT1S', 'PT5S'];
/** The background load of every sweep run's latency phase, unless --latency-rate is given. */
const SWEEP_LATENCY_RATE = 1500;

function parseArgs(argv: string[]): Args {
  const out: Args = {
    json: false,
    events: 200_000,
    latencySeconds: 15,
    latencyRate: 0,
    profile: false,
    streams: 100,
    minBatch: 0,
    flushSweep: false,
    tables: 'azurite',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} expects a number >= 0; found ${JSON.stringify(argv[i])}`);
      return v;
    };
    if (a === '--json') out.json = true;
    else if (a === '--profile') out.profile = true;
    else if (a === '--profile-out') {
      out.profile = true;
      out.profileOut = argv[++i];
    } else if (a === '--events') out.events = Math.max(1000, Math.round(num() / 1000) * 1000);
    else if (a === '--latency-seconds') out.latencySeconds = num();
    else if (a === '--latency-rate') out.latencyRate = num();
    else if (a === '--min-batch') out.minBatch = Math.round(num());
    else if (a === '--max-wait') {
      const v = argv[++i];
      if (!v || !/^\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v))
        throw new Error(`--max-wait expects a TimeSpan like 00:00:00.500; found ${JSON.stringify(v)}`);
      out.maxWait = v;
    } else if (a === '--streams') out.streams = Math.max(1, Math.round(num()));
    else if (a === '--flush-interval') {
      const v = argv[++i];
      if (parseDuration(v) === undefined)
        throw new Error(`--flush-interval expects an ISO 8601 duration like PT1S; found ${JSON.stringify(v)}`);
      out.flushInterval = v;
    } else if (a === '--flush-sweep') out.flushSweep = true;
    else if (a === '--tables') {
      const v = argv[++i];
      if (v !== 'azurite' && v !== 'embedded')
        throw new Error(`--tables expects azurite or embedded; found ${JSON.stringify(v)}`);
      out.tables = v;
    } else
      throw new Error(
        `Unknown argument ${JSON.stringify(a)}; expected --json, --events N, --latency-seconds S, --latency-rate R, --streams N, --min-batch N, --max-wait hh:mm:ss.fff, --flush-interval PT1S, --flush-sweep, --tables azurite|embedded, --profile or --profile-out FILE.`,
      );
  }
  return out;
}

const log = (msg: string): void => {
  process.stderr.write(`[bench:e2e] ${msg}\n`);
};

/** Per-stream count and sum of what was sent, for the exactness check at the end. */
class Ledger {
  readonly streams = new Map<string, { count: number; sum: number }>();
  total = 0;
  add(stream: string, value: number): void {
    const t = this.streams.get(stream) ?? { count: 0, sum: 0 };
    t.count++;
    t.sum += value;
    this.streams.set(stream, t);
    this.total++;
  }
}

function makeBody(first: number, count: number, streams: number, at: Date, ledger: Ledger): string {
  const lines: string[] = [];
  for (let seq = first; seq < first + count; seq++) {
    lines.push(benchEvent(seq, streams, at));
    ledger.add(benchStream(seq % streams), ((seq * 7919) % 8000) / 8);
  }
  return lines.join('\n');
}

async function post(baseUrl: string, body: string, count: number): Promise<void> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/events/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`The local hub refused ${count} events: ${res.status} ${text.slice(0, 300)}`);
  const accepted = (JSON.parse(text) as { accepted: number }).accepted;
  if (accepted !== count) throw new Error(`The local hub accepted ${accepted} of ${count} events.`);
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * A stream's live count; 0 while its entity has not run its first operation (404): the hub reports a batch processed
 * once ingest has signalled the entities, which may still hold the signal in their queue.
 */
async function liveCount(baseUrl: string, stream: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/streams/default/${stream}`);
  const text = await res.text();
  if (res.status === 404) return 0;
  if (res.status !== 200) throw new Error(`GET /api/streams/default/${stream}: ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { totals: { value?: { count: number } } }).totals.value?.count ?? 0;
}

interface HubInfo {
  events: number;
  consumers: { lag: number; unprocessed: number }[];
}

/**
 * Polls until the hub holds `events`, all processed, and every stream's live view (GET /api/streams/default/<s>, read
 * from its entity) counts what the ledger sent; returns when that first held. Not the Streams catalog: the entities
 * rewrite its rows at most every CATALOG_REFRESH_MS, so it lags by design. A stream once seen complete is not re-read.
 */
async function waitVisible(baseUrl: string, events: number, ledger: Ledger, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, number>();
  for (;;) {
    const hub = await getJson<HubInfo>(`${baseUrl}/runtime/eventhubs/events`);
    if (hub.events === events && hub.consumers.every((c) => c.unprocessed === 0)) {
      const open = [...ledger.streams].filter(([stream, want]) => done.get(stream) !== want.count);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < open.length) {
            const [stream, want] = open[next++]!;
            const count = await liveCount(baseUrl, stream);
            if (count > want.count)
              throw new Error(`Stream ${stream} counts ${count} events, more than the ${want.count} sent.`);
            if (count === want.count) done.set(stream, count);
          }
        }),
      );
      if ([...ledger.streams].every(([stream, want]) => done.get(stream) === want.count)) return Date.now();
    }
    if (Date.now() > deadline)
      throw new Error(
        `Not visible within ${timeoutMs} ms (hub ${JSON.stringify(hub)}; ${done.size} of ${ledger.streams.size} streams complete).`,
      );
    await sleep(100);
  }
}

/** Raw local-hub append rate: the same file logs (fsync per append) in process, 1,000-event appends, no HTTP or app. */
async function rawHubAppend(events: number, streams: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hub-'));
  try {
    const hub = new LocalHub({ name: 'events', partitionCount: 4, dir: join(dir, 'events') });
    const at = new Date();
    const batches = Array.from({ length: events / 1000 }, (_, b) =>
      Array.from({ length: 1000 }, (_, k) => ({ body: Buffer.from(benchEvent(b * 1000 + k, streams, at)) })),
    );
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) await hub.append(batches[next++]!);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return events / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--flush-sweep`: this bench once per interval of FLUSH_SWEEP, each in its own process (a fresh host and Azurite),
 * with the other arguments as given; prints entity operations per 1,000 events and p99 send -> visible side by side.
 */
function flushSweep(argv: string[], json: boolean): void {
  const given = argv.filter((a) => a !== '--flush-sweep' && a !== '--json');
  // One background rate for every run (by default each run probes under 80% of its own throughput), so the runs'
  // entity operations per 1,000 events and latencies compare like for like.
  const rest = given.includes('--latency-rate') ? given : [...given, '--latency-rate', String(SWEEP_LATENCY_RATE)];
  const runs = FLUSH_SWEEP.map((interval) => {
    log(`flush sweep: ENTITY_FLUSH_INTERVAL=${interval}`);
    const child = spawnSync(process.execPath, [__filename, ...rest, '--json', '--flush-interval', interval], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !last.startsWith('{'))
      throw new Error(
        `the run at ${interval} failed (exit ${child.status}); expected a JSON line, found ${JSON.stringify(last.slice(0, 200))}`,
      );
    const r = JSON.parse(last) as {
      eventsPerSec: number;
      p50Ms: number;
      p99Ms: number;
      entityOpsPer1000Events: number;
      storageRequestsPer1000Events: number;
      exact: boolean;
    };
    return {
      interval,
      eventsPerSec: r.eventsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      entityOpsPer1000Events: r.entityOpsPer1000Events,
      storageRequestsPer1000Events: r.storageRequestsPer1000Events,
      exact: r.exact,
    };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ benchmark: 'e2e-flush-sweep', runs })}\n`);
  } else {
    const row = (cells: (string | number | boolean)[]) =>
      cells.map((c, i) => String(c).padStart(i === 0 ? 10 : 16)).join('');
    console.log(`\nENTITY_FLUSH_INTERVAL sweep (baseline: PT0S, one entity operation per stream per batch)\n`);
    console.log(row(['interval', 'ops/1000 events', 'p99 ms', 'p50 ms', 'events/s', 'storage req/1000', 'exact']));
    for (const r of runs)
      console.log(
        row([
          r.interval,
          r.entityOpsPer1000Events,
          r.p99Ms,
          r.p50Ms,
          r.eventsPerSec,
          r.storageRequestsPer1000Events,
          r.exact,
        ]),
      );
  }
  if (runs.some((r) => !r.exact)) process.exitCode = 1;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.flushSweep) {
    flushSweep(process.argv.slice(2), args.json);
    return;
  }
  const started = Date.now();
  const ledger = new Ledger();
  let seq = 0;
  const eventBytes = Buffer.byteLength(benchEvent(123_456, args.streams, new Date()));

  log(`baseline: raw local-hub append of 100,000 events...`);
  const rawAppendPerSec = await rawHubAppend(100_000, args.streams);

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const azurite =
    args.tables === 'embedded'
      ? await startLocalStorage({ dataDir: join(dataDir, 'storage'), ports: 0, tables: 'embedded' })
      : await startAzurite({ inMemory: true, ports: 0 });
  const proxy = await startStorageProxy({ targets: portsOf(azurite) });
  const profileDir = join(dataDir, 'profile');
  const tableRequestsFile = join(dataDir, 'table-requests.json');
  let host: HostChild | undefined;
  try {
    const overrides = {
      ...(args.minBatch > 0 ? { minEventBatchSize: args.minBatch } : {}),
      ...(args.maxWait ? { maxWaitTime: args.maxWait } : {}),
    };
    const appDir =
      Object.keys(overrides).length > 0 ? appWithEventHubOptions(repoRoot, join(dataDir, 'app'), overrides) : repoRoot;
    host = await startHostChild({
      repoRoot,
      appDir,
      args: ['--no-azurite', '--store', 'sqlite', '--data-dir', join(dataDir, 'host')],
      env: {
        AzureWebJobsStorage: proxy.connectionString,
        EventHubConnection: 'UseLocalEventHub=true',
        ANALYSIS_SCHEDULE: '',
        [TABLE_REQUEST_COUNTS_SETTING]: tableRequestsFile,
        ...(args.flushInterval ? { ENTITY_FLUSH_INTERVAL: args.flushInterval } : {}),
      },
      nodeArgs: args.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    });
    const baseUrl = host.baseUrl;
    log(`host at ${baseUrl}; warming up with 5,000 events`);
    {
      const body = makeBody(seq, 5000, args.streams, new Date(), ledger);
      seq += 5000;
      await post(baseUrl, body, 5000);
      await waitVisible(baseUrl, seq, ledger, 120_000);
    }

    // Throughput.
    log(`throughput: ${args.events} events, 1,000 per request, 4 in flight`);
    const at = new Date();
    const bodies: { body: string; count: number }[] = [];
    for (let i = 0; i < args.events / 1000; i++) {
      bodies.push({ body: makeBody(seq, 1000, args.streams, at, ledger), count: 1000 });
      seq += 1000;
    }
    const storageBefore = { total: proxy.total(), byTarget: proxy.byTarget() };
    const tablesBefore = await readTableRequestCounts(tableRequestsFile);
    const hostCpuBefore = processCpuMs(host.child.pid);
    const hostMainCpuBefore = processCpuMs(host.child.pid, host.child.pid);
    const benchCpuBefore = process.cpuUsage();
    const t0 = Date.now();
    let nextBody = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (nextBody < bodies.length) {
          const b = bodies[nextBody++]!;
          await post(baseUrl, b.body, b.count);
        }
      }),
    );
    const tSent = Date.now();
    const tVisible = await waitVisible(baseUrl, seq, ledger, 600_000);
    const hostCpuAfter = processCpuMs(host.child.pid);
    const hostMainCpuAfter = processCpuMs(host.child.pid, host.child.pid);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    // CPU time per 1,000 events: how much of a core each process needs, independent of what else loads the machine.
    const cpuMsPer1000Events = {
      host: cpuMsPer1000(hostCpuBefore, hostCpuAfter, args.events),
      // The host's main thread alone: it runs every function and the Durable runtime, and is the one that saturates.
      hostMainThread: cpuMsPer1000(hostMainCpuBefore, hostMainCpuAfter, args.events),
      benchSenderAndProxy: Math.round((((benchCpu.user + benchCpu.system) / 1000) * 10000) / args.events) / 10,
    };
    const hostCoreShare =
      hostCpuBefore === undefined || hostCpuAfter === undefined
        ? null
        : Math.round(((hostCpuAfter - hostCpuBefore) / (tVisible - t0)) * 100) / 100;
    const storageRequests = proxy.total() - storageBefore.total;
    const byTable = tableRequestsPer1000(tablesBefore, await readTableRequestCounts(tableRequestsFile), args.events);
    const byTarget = Object.fromEntries(
      Object.entries(proxy.byTarget())
        .map(([k, v]): [string, number] => [
          k,
          Math.round(((v - (storageBefore.byTarget[k] ?? 0)) * 10000) / args.events) / 10,
        ])
        .filter(([, v]) => v > 0),
    );
    const eventsPerSec = args.events / ((tVisible - t0) / 1000);
    const acceptPerSec = args.events / ((tSent - t0) / 1000);
    log(`throughput: ${Math.round(eventsPerSec)} events/s end to end (hub accepted ${Math.round(acceptPerSec)}/s)`);

    // Latency under a paced background load.
    const latencyRate = args.latencyRate > 0 ? args.latencyRate : Math.round(Math.min(20_000, 0.8 * eventsPerSec));
    log(`latency: probes for ${args.latencySeconds} s under ${latencyRate} events/s background load`);
    const samples: number[] = [];
    let stop = false;
    const background = (async () => {
      const limiter = new RateLimiter(latencyRate, Date.now());
      const batch = Math.max(50, Math.round(latencyRate / 20));
      while (!stop) {
        const wait = limiter.delayFor(batch, Date.now());
        if (wait > 0) await sleep(wait);
        const body = makeBody(seq, batch, args.streams, new Date(), ledger);
        seq += batch;
        await post(baseUrl, body, batch);
      }
    })();
    // Four probe streams, one probe outstanding on each, so a slow probe does not starve the sample count.
    const probeUntil = Date.now() + args.latencySeconds * 1000;
    let probeEvents = 0;
    await Promise.all(
      Array.from({ length: probeStreams }, async (_, w) => {
        await sleep(w * 60);
        const stream = `probe-${w}`;
        let mine = 0;
        while (Date.now() < probeUntil) {
          const sentAt = Date.now();
          await post(
            baseUrl,
            JSON.stringify({ stream, time: new Date(sentAt).toISOString(), value: 1, unit: 'kPa', probe: mine }),
            1,
          );
          mine++;
          probeEvents++;
          for (;;) {
            const res = await fetch(`${baseUrl}/api/streams/default/${stream}`);
            const text = await res.text();
            if (
              res.status === 200 &&
              ((JSON.parse(text) as { totals: { value?: { count: number } } }).totals.value?.count ?? 0) >= mine
            )
              break;
            if (Date.now() - sentAt > 60_000) throw new Error(`Probe ${mine} of ${stream} not visible after 60 s.`);
            await sleep(probePollMs);
          }
          samples.push(Date.now() - sentAt);
          await sleep(100);
        }
      }),
    );
    seq += probeEvents;
    stop = true;
    await background;
    await waitVisible(baseUrl, seq, ledger, 600_000);

    // Exactness: every stream's live state equals what was sent.
    let exact = true;
    for (const [stream, want] of ledger.streams) {
      const view = await getJson<{ totals: { value?: { count: number; sum: number } } }>(
        `${baseUrl}/api/streams/default/${stream}`,
      );
      if (
        view.totals.value?.count !== want.count ||
        Math.abs((view.totals.value?.sum ?? 0) - want.sum) > 1e-6 * Math.max(1, want.sum)
      ) {
        exact = false;
        log(`MISMATCH ${stream}: sent ${JSON.stringify(want)}, state ${JSON.stringify(view.totals.value)}`);
      }
    }

    const minutes = Math.ceil((Date.now() - started) / 60_000) + 1;
    const metrics = await getJson<{
      events: number;
      entityOperations: number;
      entityOperationsPer1000Events: number;
      batches: number;
      latency: { p50: number; p99: number };
    }>(`${baseUrl}/api/metrics?minutes=${minutes}`);
    await host.stop();
    host = undefined;
    let profile:
      { functions: { fn: string; selfPct: number }[]; areas: { area: string; selfPct: number }[] } | undefined;
    if (args.profile) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) profile = { functions: topFunctions(join(profileDir, file)), areas: topAreas(join(profileDir, file)) };
      if (file && args.profileOut) copyFileSync(join(profileDir, file), args.profileOut);
    }

    const cpu = cpus();
    const result = {
      benchmark: 'e2e',
      scenario: {
        streams: args.streams,
        eventBytes,
        maxEventBatchSize: eventHubOptionsFromHostJson(readHostJson(repoRoot)).maxEventBatchSize,
        minEventBatchSize: args.minBatch > 0 ? args.minBatch : 'host.json',
        maxWaitTime: args.maxWait ?? 'host.json',
        partitions: 4,
        durableStore: 'sqlite',
        entityFlushInterval: args.flushInterval ?? 'PT0S',
        tables: args.tables,
        throughputEvents: args.events,
        requestEvents: 1000,
        requestsInFlight: 4,
        latencyRate,
        latencySeconds: args.latencySeconds,
      },
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        memoryGb: Math.round(totalmem() / 1e8) / 10,
        freeMemoryGb: Math.round(freemem() / 1e8) / 10,
      },
      eventsPerSec: Math.round(eventsPerSec),
      hubAcceptEventsPerSec: Math.round(acceptPerSec),
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      latencySamples: samples.length,
      enqueuedToIngestLatencyWholeRunMs: { p50: Math.round(metrics.latency.p50), p99: Math.round(metrics.latency.p99) },
      cpuMsPer1000Events,
      hostCoresBusy: hostCoreShare,
      hostBoundEventsPerSec: cpuMsPer1000Events.host ? Math.round(1e6 / cpuMsPer1000Events.host) : null,
      entityOpsPer1000Events: Math.round(metrics.entityOperationsPer1000Events * 10) / 10,
      entityOperations: metrics.entityOperations,
      batches: metrics.batches,
      storageRequestsPer1000Events: Math.round((storageRequests * 10000) / args.events) / 10,
      storageRequestsPer1000EventsByTarget: byTarget,
      tableRequestsPer1000EventsByTable: byTable,
      exact,
      baseline: {
        rawHubAppendEventsPerSec: Math.round(rawAppendPerSec),
        perEventSignallingEntityOpsPer1000Events: 1000,
      },
      goals: { eventsPerSec: 20_000, p99Ms: 2000, entityOpsPer1000Events: 100 },
      ...(profile ? { hostCpuProfileTop: profile } : {}),
      durationSec: Math.round((Date.now() - started) / 1000),
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const row = (name: string, value: string, goal: string, base: string): string =>
        `${name.padEnd(34)}${value.padStart(14)}${goal.padStart(12)}${base.padStart(26)}`;
      console.log(
        `\nStreamfold end to end: ${args.streams} streams, ${eventBytes}-byte events, ${cpu.length} CPUs (${result.machine.cpuModel}), Node ${process.version}\n`,
      );
      console.log(row('', 'measured', 'goal', 'baseline'));
      console.log(
        row(
          'events/s (send -> queryable)',
          String(result.eventsPerSec),
          '>= 20000',
          `raw hub append ${result.baseline.rawHubAppendEventsPerSec}`,
        ),
      );
      console.log(row('hub accept events/s (HTTP)', String(result.hubAcceptEventsPerSec), '', ''));
      console.log(row('p50 send -> visible (ms)', String(result.p50Ms), '', ''));
      console.log(row('p99 send -> visible (ms)', String(result.p99Ms), '<= 2000', `${samples.length} probes`));
      console.log(
        row('entity ops per 1,000 events', String(result.entityOpsPer1000Events), '<= 100', 'per-event signals 1000'),
      );
      console.log(row('storage requests per 1,000 events', String(result.storageRequestsPer1000Events), '', ''));
      console.log(
        row(
          'host CPU ms per 1,000 events',
          String(cpuMsPer1000Events.host),
          '',
          `=> ${result.hostBoundEventsPerSec} events/s per core`,
        ),
      );
      console.log(row('  its main thread', String(cpuMsPer1000Events.hostMainThread), '', ''));
      console.log(row('host cores busy (throughput phase)', String(hostCoreShare), '', ''));
      console.log(row('sender+proxy CPU ms per 1,000 events', String(cpuMsPer1000Events.benchSenderAndProxy), '', ''));
      console.log(`\nStorage requests per 1,000 events by target: ${JSON.stringify(byTarget)}`);
      console.log(`Table requests per 1,000 events by table (the app's count): ${JSON.stringify(byTable)}`);
      console.log(`Exact per-stream counts and sums after the run: ${exact}`);
      if (profile) {
        console.log(
          `Host CPU profile, self time by area:\n${profile.areas.map((p) => `  ${String(p.selfPct).padStart(5)}%  ${p.area}`).join('\n')}`,
        );
        console.log(
          `Host CPU profile, top functions:\n${profile.functions.map((p) => `  ${String(p.selfPct).padStart(5)}%  ${p.fn}`).join('\n')}`,
        );
      }
    }
    if (!exact) process.exitCode = 1;
  } finally {
    await host?.stop();
    await proxy.close();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:e2e failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
