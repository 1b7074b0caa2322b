import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type AzuritePorts, type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { parseFaultPlan } from '../../src/functions/ingest/faultInjection';
import {
  CHAOS_PIPELINE,
  CHAOS_PIPELINE_NAME,
  chaosEvent,
  type ChaosEventOptions,
  idInRaw,
  streamName,
} from './chaosEvents';
import { ChaosSender } from './chaosSender';
import { type ChaosHost, startChaosHost } from './hostProcess';
import {
  failuresOf,
  type StreamDeadLetters,
  type StreamObserved,
  type StreamResult,
  streamResult,
  totalsOf,
} from './report';

export interface ChaosOptions {
  /** The repository (the app and its dist/ build). */
  repoRoot: string;
  /**
   * Seconds of steady streaming at least: the outages split it evenly (streaming time before, between and after
   * them); the time Azurite takes to restart comes on top.
   */
  durationSeconds: number;
  outages: number;
  outageSeconds: number;
  /** Events per second. */
  rate: number;
  streams: number;
  /** On partition 0, every Nth event is malformed JSON (dead-lettered as invalid-json). */
  invalidEvery: number;
  /** STREAMFOLD_FAULTS for the app, e.g. "deadLetterWrite:1,signal:1". */
  faults: string;
  /** How long the drain may take after streaming stops. */
  drainTimeoutSeconds: number;
  /** Keep the data directory (host log, Azurite data, hub, durable store) instead of deleting it. */
  keepData?: boolean;
  /** Progress lines (the CLI prints them on stderr). */
  progress?: (message: string) => void;
}

export interface OutageRecord {
  /** Seconds after streaming began when Azurite was told to stop. */
  at: number;
  /** How long Azurite took to exit (SIGTERM; startAzurite escalates to SIGKILL after 5 s). */
  stopMs: number;
  /** From the stop request until the restarted Azurite listened again on the same ports and data. */
  downMs: number;
  /** Host log lines reporting a storage failure from the stop until 30 s after the restart (or the next outage). */
  storageErrorLines: number;
}

export interface ChaosReport {
  ok: boolean;
  failures: string[];
  sent: number;
  counted: number;
  deadLettered: number;
  lost: number;
  doubleCounted: number;
  perStream: Record<string, StreamResult>;
  faults: { planned: string; injected: Record<string, number> };
  outages: OutageRecord[];
  /** What the host logged: ingest invocations given up on (and their events), retries, storage failures. */
  host: {
    batchesAbandoned: number;
    eventsAbandoned: number;
    ingestRetries: number;
    storageErrorLines: number;
    windowSaveFailures: number;
    metricsNotRecorded: number;
  };
  deadLetters: {
    total: number;
    byReason: Record<string, number>;
    unknown: number;
    rawMismatch: number;
    duplicates: number;
  };
  /** /api/metrics over the run (operational figures: a failed metrics write is logged, not retried). */
  metrics: { events: number; aggregated: number; filtered: number; deadLettered: number } | null;
  drained: boolean;
  settled: boolean;
  elapsedSeconds: number;
  /** Where the host log and data are, when kept. */
  dataDir?: string;
}

const storageError = /ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT|EPIPE/;

/** How long an outage may be stretched past --outage-seconds while waiting for the app to log a storage failure. */
const OUTAGE_NOTICE_TIMEOUT_MS = 60_000;

/**
 * Streaming time around the outages: before the first, between two (counted from the restart, which takes a few
 * seconds of its own) and after the last. Throws when `durationSeconds` leaves less than 3 s for each.
 */
export function streamingGap(o: Pick<ChaosOptions, 'durationSeconds' | 'outages' | 'outageSeconds'>): number {
  const gap = (o.durationSeconds - o.outages * o.outageSeconds) / (o.outages + 1);
  if (gap < 3) {
    throw new Error(
      `--duration: expected at least ${o.outages * o.outageSeconds + (o.outages + 1) * 3} s for ${o.outages} outage(s) of ${o.outageSeconds} s with 3 s of streaming around each, found ${o.durationSeconds} s`,
    );
  }
  return gap;
}

interface HubInfo {
  events: number;
  partitionCount: number;
  consumers: { lag: number; unprocessed: number }[];
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function hubInfo(baseUrl: string): Promise<HubInfo> {
  const r = await getJson<HubInfo>(`${baseUrl}/runtime/eventhubs/events`);
  if (r.status !== 200) throw new Error(`GET /runtime/eventhubs/events: expected 200, found ${r.status}`);
  return r.body;
}

/** Every page of a paged API list. */
async function allPages<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await getJson<{ items: T[]; continuationToken?: string }>(
      `${url}${url.includes('?') ? '&' : '?'}limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
    );
    if (page.status !== 200)
      throw new Error(`GET ${url}: expected 200, found ${page.status} ${JSON.stringify(page.body).slice(0, 300)}`);
    items.push(...page.body.items);
    token = page.body.continuationToken;
  } while (token);
  return items;
}

interface StreamView {
  totals: { value?: { count: number; sum: number } };
  windows: { start: number; events: number }[];
  closedThrough: number | null;
  metrics: { lateAtEntity: number; conflicts: number };
}

async function readView(baseUrl: string, stream: string): Promise<StreamView | undefined> {
  const r = await getJson<StreamView>(`${baseUrl}/api/streams/${CHAOS_PIPELINE_NAME}/${encodeURIComponent(stream)}`);
  if (r.status === 404) return undefined;
  if (r.status !== 200)
    throw new Error(
      `GET stream ${stream}: expected 200 or 404, found ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`,
    );
  return r.body;
}

/** Polls until `probe` returns a value or the time is up (then undefined). */
async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // A read may fail while the app catches up; keep polling until the deadline.
    }
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}

const portsOf = (a: RunningAzurite): AzuritePorts => ({
  blob: Number(new URL(a.blobUrl).port),
  queue: Number(new URL(a.queueUrl).port),
  table: Number(new URL(a.tableUrl).port),
});

/**
 * The chaos run: a real Azurite on a data directory, the app on the local host (SQLite durable store, local hub)
 * pointed at it; events stream steadily while Azurite is stopped (SIGTERM) and started again on the same data and
 * ports `outages` times, with the faults of `faults` injected in the app; then the hub drains, the entities settle and
 * every stream's totals, windows and dead letters are compared with what was sent.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const progress = o.progress ?? (() => undefined);
  const gapMs = streamingGap(o) * 1000;
  const planned = parseFaultPlan(o.faults);
  const dataDir = mkdtempSync(join(tmpdir(), 'streamfold-chaos-'));
  const azuriteDir = join(dataDir, 'azurite');
  const hostDir = join(dataDir, 'host');
  mkdirSync(hostDir, { recursive: true });
  const began = Date.now();
  let azurite: RunningAzurite | undefined;
  let host: ChaosHost | undefined;
  let sender: ChaosSender | undefined;
  try {
    azurite = await startAzurite({ location: azuriteDir, ports: 0 });
    const ports = portsOf(azurite);
    const connectionString = azurite.connectionString;
    progress(`Azurite on ${azurite.tableUrl} (data in ${azuriteDir})`);
    // Ingest reads the pipelines at its first batch, after the PUT below; never again during the run, so an outage
    // does not slow every batch by a failing pipeline read and the batches keep reaching the entities (whose window
    // writes are then what fails).
    host = await startChaosHost({
      repoRoot: o.repoRoot,
      args: ['--no-azurite', '--store', 'sqlite', '--data-dir', hostDir],
      env: {
        AzureWebJobsStorage: connectionString,
        EventHubConnection: 'UseLocalEventHub=true',
        ANALYSIS_SCHEDULE: '',
        PIPELINE_REFRESH_SECONDS: '3600',
        STREAMFOLD_FAULTS: o.faults,
      },
      logFile: join(dataDir, 'host.log'),
    });
    const baseUrl = host.baseUrl;
    progress(`local host on ${baseUrl}; faults: ${o.faults || 'none'}`);

    // The run's own pipeline, stored before any event so ingest's first pipeline read sees it.
    const put = await getJson<unknown>(`${baseUrl}/api/pipelines/${CHAOS_PIPELINE_NAME}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CHAOS_PIPELINE),
    });
    if (put.status !== 200 && put.status !== 201)
      throw new Error(
        `PUT /api/pipelines/${CHAOS_PIPELINE_NAME}: expected 201, found ${put.status} ${JSON.stringify(put.body)}`,
      );
    const partitions = (await hubInfo(baseUrl)).partitionCount;
    const eventOptions: ChaosEventOptions = { streams: o.streams, partitions, invalidEvery: o.invalidEvery };

    sender = new ChaosSender(baseUrl, { ...eventOptions, rate: o.rate });
    const streamStart = Date.now();
    progress(
      `streaming ${o.rate} events/s over ${o.streams} streams and ${partitions} partitions: ${(gapMs / 1000).toFixed(1)} s, then ${o.outages} x (${o.outageSeconds} s outage + restart, ${(gapMs / 1000).toFixed(1)} s streaming)`,
    );
    const sending = sender.run();
    // A refused send ends the run; keep the rejection for after the outages so the storage is never left down.
    const sendFailure = sending.then(
      () => undefined,
      (e: unknown) => e,
    );

    const outageWindows: { begin: number; restarted: number }[] = [];
    const stopped: { stopMs: number; downMs: number }[] = [];
    let resumed = streamStart;
    for (let k = 0; k < o.outages; k++) {
      await sleep(Math.max(0, resumed + gapMs - Date.now()));
      const begin = Date.now();
      progress(`outage ${k + 1}: stopping Azurite (${sender.count} events sent)`);
      await azurite.stop();
      const stopMs = Date.now() - begin;
      azurite = undefined;
      await sleep(o.outageSeconds * 1000);
      // Storage stays down until the app has felt it (a storage failure logged), up to a bound: on a loaded machine
      // ingest can lag the sender by more than the outage, and an outage the app never saw would prove nothing.
      const app = host;
      const felt = () => app.lines(storageError).some((l) => l.at >= begin);
      const noticeBy = Date.now() + OUTAGE_NOTICE_TIMEOUT_MS;
      while (!felt() && Date.now() < noticeBy) await sleep(250);
      azurite = await startAzurite({ location: azuriteDir, ports });
      resumed = Date.now();
      outageWindows.push({ begin, restarted: resumed });
      stopped.push({ stopMs, downMs: resumed - begin });
      progress(`outage ${k + 1}: Azurite back after ${((resumed - begin) / 1000).toFixed(1)} s`);
    }
    // Stream on for a gap after the last restart, and for the whole duration at least.
    await sleep(Math.max(0, resumed + gapMs - Date.now(), streamStart + o.durationSeconds * 1000 - Date.now()));
    sender.stop();
    const failedSend = await sendFailure;
    if (failedSend) throw failedSend;
    const sent = sender.count;
    progress(`sent ${sent} events; draining`);

    const drainDeadline = Date.now() + o.drainTimeoutSeconds * 1000;
    let lastHub: HubInfo | undefined;
    const drained =
      (await poll(
        async () => {
          lastHub = await hubInfo(baseUrl);
          return lastHub.events === sent && lastHub.consumers.every((c) => c.lag === 0 && c.unprocessed === 0)
            ? true
            : undefined;
        },
        o.drainTimeoutSeconds * 1000,
        250,
      )) ?? false;

    // The entities may still be working through queued signals: wait until every stream reads the same 4 times in a
    // row (2 s), or 20 times (10 s) while some stream is short of what was sent, so a loss is not reported early.
    const streams = Array.from({ length: o.streams }, (_, k) => streamName(k));
    let views = new Map<string, StreamView | undefined>();
    let stable = 0;
    let previous = '';
    const settled =
      (await poll(
        async () => {
          views = new Map<string, StreamView | undefined>();
          for (const s of streams) views.set(s, await readView(baseUrl, s));
          const key = JSON.stringify(
            [...views.values()].map(
              (v) =>
                v && [
                  v.totals.value?.count,
                  v.totals.value?.sum,
                  v.closedThrough,
                  v.metrics.lateAtEntity,
                  v.windows.map((w) => [w.start, w.events]),
                ],
            ),
          );
          stable = key === previous ? stable + 1 : 0;
          previous = key;
          const exact = streams.every(
            (s) => (views.get(s)?.totals.value?.count ?? 0) === (sender!.truth.get(s)?.valid ?? 0),
          );
          return stable >= (exact ? 4 : 20) ? true : undefined;
        },
        Math.max(30_000, drainDeadline - Date.now()),
        500,
      )) ?? false;
    progress(`drained: ${drained}, settled: ${settled}; reading results`);

    // Dead letters, matched to sent events by the id in their raw body.
    const dead = await allPages<{ raw: string; reason: string }>(`${baseUrl}/api/deadletters`);
    const byReason: Record<string, number> = {};
    const seen = new Set<number>();
    const perStreamDead = new Map<string, StreamDeadLetters>(
      streams.map((s) => [s, { valid: 0, validSum: 0, invalid: 0 }]),
    );
    let unknown = 0;
    let rawMismatch = 0;
    let duplicates = 0;
    for (const d of dead) {
      byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
      const id = idInRaw(d.raw);
      if (id === undefined || id >= sent) {
        unknown++;
        continue;
      }
      if (seen.has(id)) {
        duplicates++;
        continue;
      }
      seen.add(id);
      const e = chaosEvent(id, eventOptions);
      if (d.raw !== e.body) rawMismatch++;
      const t = perStreamDead.get(e.stream)!;
      if (e.valid) {
        t.valid++;
        t.validSum += e.value;
      } else {
        t.invalid++;
      }
    }

    const perStream: Record<string, StreamResult> = {};
    for (const s of streams) {
      const view = views.get(s);
      const stored = await allPages<{ data: { events?: number } }>(
        `${baseUrl}/api/streams/${CHAOS_PIPELINE_NAME}/${encodeURIComponent(s)}/windows`,
      );
      const observed: StreamObserved = {
        counted: view?.totals.value?.count ?? 0,
        countedSum: view?.totals.value?.sum ?? 0,
        storedWindowEvents: stored.reduce((n, w) => n + (w.data.events ?? 0), 0),
        liveWindowEvents: view?.windows.reduce((n, w) => n + w.events, 0) ?? 0,
        lateAtEntity: view?.metrics.lateAtEntity ?? 0,
        conflicts: view?.metrics.conflicts ?? 0,
      };
      perStream[s] = streamResult(
        sender.truth.get(s) ?? { valid: 0, validSum: 0, invalid: 0 },
        observed,
        perStreamDead.get(s)!,
      );
    }

    const minutes = Math.min(1440, Math.ceil((Date.now() - began) / 60_000) + 1);
    const m = await getJson<{ events: number; aggregated: number; filtered: number; deadLettered: number }>(
      `${baseUrl}/api/metrics?minutes=${minutes}`,
    );
    const metrics =
      m.status === 200
        ? {
            events: m.body.events,
            aggregated: m.body.aggregated,
            filtered: m.body.filtered,
            deadLettered: m.body.deadLettered,
          }
        : null;

    const injected: Record<string, number> = {};
    for (const point of planned.keys()) injected[point] = host.lines(new RegExp(`fault injected: ${point} \\(`)).length;
    const storageLines = host.lines(storageError);
    const outages: OutageRecord[] = stopped.map((s, k) => {
      const w = outageWindows[k]!;
      const until = Math.min(w.restarted + 30_000, outageWindows[k + 1]?.begin ?? Number.POSITIVE_INFINITY);
      return {
        at: Number(((w.begin - streamStart) / 1000).toFixed(1)),
        stopMs: s.stopMs,
        downMs: s.downMs,
        storageErrorLines: storageLines.filter((l) => l.at >= w.begin && l.at < until).length,
      };
    });
    const abandoned = host.lines(/Function "ingest" failed on .*Moving past the batch/);

    const extra: string[] = [];
    if (!drained)
      extra.push(
        `the hub did not drain within ${o.drainTimeoutSeconds} s: ${lastHub ? `${lastHub.events} events held of ${sent} sent, lag ${lastHub.consumers.map((c) => c.lag).join('/')}, unprocessed ${lastHub.consumers.map((c) => c.unprocessed).join('/')}` : 'the hub could not be read'}`,
      );
    if (!settled) extra.push('the stream entities did not settle (their totals kept changing or could not be read)');
    for (const [point, rule] of planned) {
      if (rule.count > 0 && injected[point] !== rule.count)
        extra.push(`fault ${point}: planned ${rule.count} injection(s), the app logged ${injected[point]}`);
    }
    outages.forEach((x, k) => {
      if (x.storageErrorLines === 0)
        extra.push(`outage ${k + 1}: the app logged no storage failure, so it did not notice the outage`);
    });
    if (unknown > 0) extra.push(`${unknown} dead letter(s) match no sent event`);
    if (rawMismatch > 0) extra.push(`${rawMismatch} dead letter(s) keep a raw body that differs from the one sent`);
    if (duplicates > 0) extra.push(`${duplicates} event(s) dead-lettered more than once`);
    const failures = failuresOf(perStream, extra);
    const totals = totalsOf(Object.values(perStream));
    return {
      ok: failures.length === 0,
      failures,
      ...totals,
      perStream,
      faults: { planned: o.faults, injected },
      outages,
      host: {
        batchesAbandoned: abandoned.length,
        eventsAbandoned: abandoned.reduce((n, l) => n + Number(/\((\d+) events\)/.exec(l.text)?.[1] ?? 0), 0),
        ingestRetries: host.lines(/Function "ingest" failed on .*Retry \d+ in/).length,
        storageErrorLines: storageLines.length,
        windowSaveFailures: host.lines(/closed window\(s\) failed/).length,
        metricsNotRecorded: host.lines(/were not recorded/).length,
      },
      deadLetters: { total: dead.length, byReason, unknown, rawMismatch, duplicates },
      metrics,
      drained,
      settled,
      elapsedSeconds: Math.round((Date.now() - began) / 1000),
      ...(o.keepData ? { dataDir } : {}),
    };
  } catch (error) {
    const tail = host?.tail(40);
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${tail ? `\nlast host output:\n${tail}` : ''}`,
      { cause: error },
    );
  } finally {
    sender?.stop();
    await host?.stop().catch(() => undefined);
    await azurite?.stop().catch(() => undefined);
    if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}
