import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { TableStoreKind } from '../../local-host/tables/startLocalStorage';
import { cpuMsPer1000, processCpuMs } from '../e2e/processCpuMs';
import { type CheckResult, checkUntilExact, waitAllCounted } from './check';
import type { ExpectedHistory } from './expected';
import { startReplayStack } from './stack';

/** The README's flights pipeline, verbatim (hourly tumbling windows, lateness PT5M, default idleTimeout). */
export const FLIGHTS_PIPELINE = {
  match: 'type(origin) == string',
  key: 'origin',
  time: 'date',
  filter: 'distance > 100',
  measures: { delay: 'delay', distance: 'distance' },
  window: { type: 'tumbling', size: 'PT1H' },
  lateness: 'PT5M',
} as const;

export const PIPELINE_NAME = 'flights';
/** The probe that shows ingest has the pipeline: its own key, an hour before any history, so it moves no clock of the history's keys. */
const PROBE_KEY = '~replay-probe';

export type ReplayMode = 'round-robin' | 'keyed';

export interface ReplayOptions {
  repoRoot: string;
  file: string;
  expected: ExpectedHistory;
  mode: ReplayMode;
  partitions: number;
  /** Events per `send` batch (--batch-size); keyed, each batch goes out as one request per origin in it. */
  batchSize: number;
  /** Give up waiting for the app after this long. */
  timeoutMs: number;
  log: (message: string) => void;
  /** Write a CPU profile of the host (node --cpu-prof) into this folder when its stack stops. */
  hostCpuProfDir?: string;
  /** Extra app settings for the host (e.g. WINDOW_WRITE_DELAY). */
  env?: Record<string, string>;
  /** ENTITY_FLUSH_INTERVAL of the host (ISO 8601); unset: the app's default (PT0S, no coalescing). */
  flushInterval?: string;
  /** What serves Table storage (startReplayStack); unset: Azurite in memory. */
  tables?: TableStoreKind;
  /** Called with the host's base URL after the check, before the stack stops (tests read more from the app). */
  inspect?: (baseUrl: string) => Promise<void>;
}

export interface ReplayResult {
  mode: ReplayMode;
  events: number;
  /** events / (all keys' live views count every event - first send), seconds. */
  eventsPerSec: number;
  /** What the `send` CLI reported (its own rate: how fast the local hub accepted the file). */
  sender: { sent: number; failed: number; eventsPerSec: number };
  /** Ingest progress (events checkpointed by the trigger) over the first and the last tenth of the file. */
  firstTenthEventsPerSec: number | null;
  lastTenthEventsPerSec: number | null;
  /** lastTenth / firstTenth: 1 = steady, below 1 = slowing down. */
  steadiness: number | null;
  /**
   * Seconds from ingest having checkpointed every event to every key's live view counting them: the entities' queue
   * left at the end (ingest waits for a signal to be accepted, not applied).
   */
  drainSeconds: number;
  /** CPU time of the host process (every thread: the app's JavaScript, the embedded table store) from send to counted. */
  hostCpuMsPer1000Events: number | null;
  /** CPU time of its main thread alone, which runs every function and the Durable runtime: the one that saturates. */
  hostMainThreadCpuMsPer1000Events: number | null;
  /** Events dead-lettered `late` (sum of the streams' metrics.late); the history is sorted, so each is a false one. */
  lateDeadLetters: number;
  /** GET /api/deadletters?reason=late, counted page by page (null when more than the cap). */
  lateDeadLettersListed: number | null;
  /** All dead letters (any reason) from /api/metrics. */
  deadLettered: number;
  entityOperations: number;
  entityOpsPer1000Events: number;
  tableRequestsPer1000Events: number;
  /** By "<METHOD> <table>" ($batch: a transaction, whose table is in its body). */
  tableRequestsPer1000EventsByTable: Record<string, number>;
  /** Blob and queue requests per 1,000 events (the durable store is SQLite: none expected from it). */
  otherStorageRequestsPer1000Events: number;
  check: CheckResult;
  durationSec: number;
}

const LISTED_LATE_CAP = 100_000;
const round1 = (x: number): number => Math.round(x * 10) / 10;

async function api(baseUrl: string, path: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}${path}`, init);
  return { status: res.status, text: await res.text() };
}

async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const r = await api(baseUrl, path);
  if (r.status !== 200) throw new Error(`GET ${path}: expected 200, found ${r.status} ${r.text.slice(0, 300)}`);
  return JSON.parse(r.text) as T;
}

/** Events the ingest trigger has been through (the least over its consumers), and the hub's total. */
async function hubProgress(baseUrl: string): Promise<{ events: number; processed: number }> {
  const hub = await getJson<{ events: number; consumers: { unprocessed: number }[] }>(
    baseUrl,
    '/runtime/eventhubs/events',
  );
  const unprocessed = Math.max(0, ...hub.consumers.map((c) => c.unprocessed));
  return { events: hub.events, processed: hub.events - unprocessed };
}

/** PUT the flights pipeline, then send probes until the probe stream exists in it (ingest refreshed its pipelines). */
async function definePipeline(baseUrl: string, firstTimeMs: number): Promise<void> {
  const put = await api(baseUrl, `/api/pipelines/${PIPELINE_NAME}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(FLIGHTS_PIPELINE),
  });
  if (put.status !== 201 && put.status !== 200)
    throw new Error(`PUT /api/pipelines/${PIPELINE_NAME}: expected 201, found ${put.status} ${put.text.slice(0, 300)}`);
  const probe = JSON.stringify({
    date: new Date(firstTimeMs - 3_600_000).toISOString(),
    origin: PROBE_KEY,
    destination: PROBE_KEY,
    delay: 0,
    distance: 1000,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    await sleep(1500);
    const r = await api(baseUrl, `/api/streams/${PIPELINE_NAME}/${encodeURIComponent(PROBE_KEY)}`);
    if (r.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(
        `The pipeline did not reach ingest within 60 s: GET of the probe stream answers ${r.status} ${r.text.slice(0, 200)}`,
      );
    const sent = await api(baseUrl, '/runtime/eventhubs/events/events', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: probe,
    });
    if (sent.status !== 200)
      throw new Error(`Sending the probe: expected 200, found ${sent.status} ${sent.text.slice(0, 200)}`);
  }
}

/**
 * Runs a built script of this repository (`dist/<script>`) with `args` and resolves with the JSON object it prints as
 * its last line (every tool and bench prints one with --json); rejects naming `what` with its exit code and output.
 */
export function runJsonChild<T>(repoRoot: string, script: string, args: string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', script), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited ${code}: ${(err || out).slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${what} printed no JSON summary: ${out.slice(-500)} ${err}`));
      }
    });
  });
}

/** Runs `npm run send` (dist/tools/send/cli.js) on the file; resolves with its JSON summary. */
function runSend(repoRoot: string, args: string[]): Promise<{ sent: number; failed: number; eventsPerSec: number }> {
  return runJsonChild(repoRoot, join('tools', 'send', 'cli.js'), args, 'send');
}

/** Counts GET /api/deadletters?reason=late page by page, up to `cap` (null beyond it). */
async function countLateListed(baseUrl: string, cap: number): Promise<number | null> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await getJson<{ items: unknown[]; continuationToken?: string }>(
      baseUrl,
      `/api/deadletters?since=1970-01-01T00:00:00Z&reason=late&limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
    );
    n += page.items.length;
    token = page.continuationToken;
    if (n > cap) return null;
  } while (token);
  return n;
}

/** Rate over the samples' progress from `from` to `to` events (linear between samples); null if not reached. */
function rateBetween(samples: readonly { at: number; processed: number }[], from: number, to: number): number | null {
  const timeAt = (target: number): number | undefined => {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      if (s.processed >= target) {
        const prev = samples[i - 1];
        if (!prev || s.processed === prev.processed) return s.at;
        return prev.at + ((target - prev.processed) / (s.processed - prev.processed)) * (s.at - prev.at);
      }
    }
    return undefined;
  };
  const a = timeAt(from);
  const b = timeAt(to);
  if (a === undefined || b === undefined || b <= a) return null;
  return ((to - from) * 1000) / (b - a);
}

/** One replay of the file on a fresh stack: round robin (no partition key) or keyed by origin. */
export async function replayOnce(o: ReplayOptions): Promise<ReplayResult> {
  const started = Date.now();
  const stack = await startReplayStack({
    repoRoot: o.repoRoot,
    partitions: o.partitions,
    ...(o.env || o.flushInterval
      ? { env: { ...(o.flushInterval ? { ENTITY_FLUSH_INTERVAL: o.flushInterval } : {}), ...o.env } }
      : {}),
    ...(o.tables ? { tables: o.tables } : {}),
    ...(o.hostCpuProfDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', o.hostCpuProfDir] } : {}),
  });
  try {
    const base = stack.baseUrl;
    o.log(`${o.mode}: host at ${base}; defining the pipeline`);
    await definePipeline(base, o.expected.firstTimeMs);
    const before = await hubProgress(base);
    const storageBefore = stack.proxy.byTarget();
    const n = o.expected.records;
    const samples: { at: number; processed: number }[] = [];
    let sampling = true;
    const t0 = Date.now();
    const hostPid = stack.host.child.pid;
    const cpuBefore = { host: processCpuMs(hostPid), main: processCpuMs(hostPid, hostPid) };
    const sampler = (async () => {
      while (sampling) {
        const p = await hubProgress(base).catch(() => undefined);
        if (p) samples.push({ at: Date.now(), processed: p.processed - before.processed });
        await sleep(250);
      }
    })();
    o.log(`${o.mode}: sending ${n} events with \`send --file\`${o.mode === 'keyed' ? ' --key-field origin' : ''}`);
    let sender: { sent: number; failed: number; eventsPerSec: number };
    let tVisible: number;
    let tIngested = 0;
    try {
      sender = await runSend(o.repoRoot, [
        '--url',
        base,
        '--file',
        o.file,
        '--batch-size',
        String(o.batchSize),
        '--json',
        '--no-progress',
        ...(o.mode === 'keyed' ? ['--key-field', 'origin'] : []),
      ]);
      if (sender.sent !== n || sender.failed !== 0)
        throw new Error(`send reported ${sender.sent} sent and ${sender.failed} failed; expected ${n} sent.`);
      o.log(`${o.mode}: sent at ${Math.round(sender.eventsPerSec)} events/s; waiting for the app`);
      const deadline = t0 + o.timeoutMs;
      for (;;) {
        const p = await hubProgress(base);
        if (p.processed - before.processed >= n) break;
        if (Date.now() > deadline)
          throw new Error(
            `Ingest went through ${p.processed - before.processed} of ${n} events within ${o.timeoutMs} ms.`,
          );
        await sleep(250);
      }
      tIngested = Date.now();
      tVisible = await waitAllCounted(
        { baseUrl: base },
        PIPELINE_NAME,
        o.expected,
        Math.max(60_000, deadline - Date.now()),
      );
    } finally {
      sampling = false;
      await sampler;
    }
    const cpuAfter = { host: processCpuMs(hostPid), main: processCpuMs(hostPid, hostPid) };
    samples.push({ at: tVisible, processed: n });
    const storageAfter = stack.proxy.byTarget();
    const delta = Object.entries(storageAfter)
      .map(([k, v]): [string, number] => [k, v - (storageBefore[k] ?? 0)])
      .filter(([, v]) => v > 0);
    const per1000 = (x: number): number => round1((x * 1000) / n);
    const eventsPerSec = (n * 1000) / (tVisible - t0);
    o.log(
      `${o.mode}: ${Math.round(eventsPerSec)} events/s end to end; checking every key against the independent computation`,
    );

    const check = await checkUntilExact({ baseUrl: base }, PIPELINE_NAME, o.expected, 60_000, (r) =>
      o.log(
        `${o.mode}: not exact yet (${r.keysWrong} keys, ${r.windowsMissing} missing / ${r.windowsWrong} wrong / ${r.windowsExtra} extra windows); checking again`,
      ),
    );
    // Writes the app makes while the check runs finish the replay's work (closed windows held by WINDOW_WRITE_DELAY,
    // the idle timer's flushes) and count; reads then are mostly the check's own, so they do not.
    const storageChecked = stack.proxy.byTarget();
    const byTable = new Map(delta.filter(([k]) => k.startsWith('table ')));
    for (const [k, v] of Object.entries(storageChecked)) {
      const d = v - (storageAfter[k] ?? 0);
      if (d > 0 && k.startsWith('table ') && !k.startsWith('table GET ')) byTable.set(k, (byTable.get(k) ?? 0) + d);
    }
    const table = [...byTable].sort((a, b) => b[1] - a[1]);
    const minutes = Math.min(1440, Math.ceil((Date.now() - started) / 60_000) + 1);
    const metrics = await getJson<{ events: number; deadLettered: number; entityOperations: number }>(
      base,
      `/api/metrics?minutes=${minutes}`,
    );
    const lateDeadLettersListed = await countLateListed(base, LISTED_LATE_CAP);
    await o.inspect?.(base);
    const first = rateBetween(samples, 0, n / 10);
    const last = rateBetween(samples, n - n / 10, n);
    return {
      mode: o.mode,
      events: n,
      eventsPerSec: Math.round(eventsPerSec),
      sender: { sent: sender.sent, failed: sender.failed, eventsPerSec: Math.round(sender.eventsPerSec) },
      firstTenthEventsPerSec: first === null ? null : Math.round(first),
      lastTenthEventsPerSec: last === null ? null : Math.round(last),
      steadiness: first && last ? Math.round((last / first) * 100) / 100 : null,
      drainSeconds: Math.round((tVisible - tIngested) / 100) / 10,
      hostCpuMsPer1000Events: cpuMsPer1000(cpuBefore.host, cpuAfter.host, n),
      hostMainThreadCpuMsPer1000Events: cpuMsPer1000(cpuBefore.main, cpuAfter.main, n),
      lateDeadLetters: check.late,
      lateDeadLettersListed,
      deadLettered: metrics.deadLettered,
      entityOperations: metrics.entityOperations,
      // The probe's one or two operations are in /api/metrics too; negligible against the file.
      entityOpsPer1000Events: per1000(metrics.entityOperations),
      tableRequestsPer1000Events: per1000(table.reduce((s, [, v]) => s + v, 0)),
      tableRequestsPer1000EventsByTable: Object.fromEntries(
        table.map(([k, v]) => [k.slice('table '.length), per1000(v)]),
      ),
      otherStorageRequestsPer1000Events: per1000(
        delta.filter(([k]) => !k.startsWith('table ')).reduce((s, [, v]) => s + v, 0),
      ),
      check,
      durationSec: Math.round((Date.now() - started) / 1000),
    };
  } catch (err) {
    // A failed request to the host says nothing about why: show what the host logged last (and whether it exited).
    const exit = stack.host.child.exitCode ?? stack.host.child.signalCode;
    o.log(
      `${o.mode}: failed${exit === null ? '' : ` (the host exited: ${exit})`}; the host's last output:\n${stack.host.output().slice(-4000)}`,
    );
    throw err;
  } finally {
    await stack.stop();
  }
}
