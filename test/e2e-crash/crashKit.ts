/**
 * What every crash test needs: Azurite behind a loopback proxy that can delay (or hold) chosen Table requests, a local
 * host on a sqlite data dir that survives SIGKILL, and the local hub's progress (events, lag, checkpoints).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { portsOf, startStorageProxy, type StorageProxy, type StorageProxyOptions } from '../../bench/e2e/storageProxy';
import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

export interface HubInfo {
  events: number;
  consumers: { lag: number; unprocessed: number }[];
  partitions: { partitionId: string; consumers: Record<string, { checkpoint: { sequenceNumber: number } | null }> }[];
}

export async function hubInfo(baseUrl: string): Promise<HubInfo> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/events`);
  if (res.status !== 200) throw new Error(`GET hub: expected 200, found ${res.status} ${await res.text()}`);
  return (await res.json()) as HubInfo;
}

/** The ingest consumer's checkpoint of partition `p` (-1 when none). */
export const checkpointOf = (info: HubInfo, p: string): number =>
  info.partitions.find((x) => x.partitionId === p)?.consumers['$Default']?.checkpoint?.sequenceNumber ?? -1;

/** Polls until the hub holds `events` and the ingest consumer processed and checkpointed all of them. */
export async function drain(baseUrl: string, events: number): Promise<void> {
  await pollUntil(
    async () => {
      const info = await hubInfo(baseUrl);
      if (info.events > events) throw new Error(`The hub holds ${info.events} events, more than the ${events} sent.`);
      return info.events === events && info.consumers.every((c) => c.lag === 0 && c.unprocessed === 0)
        ? true
        : undefined;
    },
    60_000,
    100,
  );
}

/** Sends raw bodies to one partition of the local hub. */
export async function sendTo(baseUrl: string, bodies: readonly string[], partition: string): Promise<void> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/events/events?envelope=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bodies.map((body) => ({ body, partitionId: partition }))),
  });
  if (res.status !== 200) throw new Error(`sending events: expected 200, found ${res.status} ${await res.text()}`);
}

/**
 * Waits, when needed, so that the next ~15 s fall in one UTC minute: a held metrics write and the batch waiting on it
 * must share the writer's row key (minute and partition).
 */
export async function withinOneMinute(): Promise<void> {
  if (new Date().getUTCSeconds() > 45)
    await new Promise((r) => setTimeout(r, (61 - new Date().getUTCSeconds()) * 1000));
}

/** The API and the hub of the host `baseUrl` names (a getter: a restart moves it), counting what was sent. */
export function hostClient(baseUrl: () => string) {
  let sent = 0;
  const client = {
    async api<T>(path: string): Promise<{ status: number; json: T }> {
      const res = await fetch(`${baseUrl()}${path}`);
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
    },
    async send(bodies: readonly string[], partition: string): Promise<void> {
      await sendTo(baseUrl(), bodies, partition);
      sent += bodies.length;
    },
    drain: (): Promise<void> => drain(baseUrl(), sent),
    /**
     * Sends `probe` to partition 0 until `path` answers 200: the pipeline just PUT has reached ingest
     * (PIPELINE_REFRESH_SECONDS=1) before the events that count.
     */
    untilIngested: (probe: string, path: string): Promise<true> =>
      pollUntil(
        async () => {
          await client.send([probe], '0');
          await client.drain();
          return (await client.api(path)).status === 200 ? true : undefined;
        },
        60_000,
        500,
      ),
  };
  return client;
}

export interface CrashStack {
  readonly proxy: StorageProxy;
  /** The host's data dir (sqlite durable store, checkpoints): what a killed host leaves behind. */
  readonly dataDir: string;
  /** Starts a host on the data dir, its storage through the proxy, with the base settings plus `env`. */
  startHost(env?: Record<string, string>): Promise<HostProcess>;
  /** Kills the last host started, closes the proxy, stops Azurite and removes the data dir. */
  stop(): Promise<void>;
}

export async function startCrashStack(
  dataDirPrefix: string,
  delayMs: StorageProxyOptions['delayMs'],
): Promise<CrashStack> {
  const azurite: RunningAzurite = await startAzurite({ inMemory: true, ports: 0 });
  const proxy = await startStorageProxy({ targets: portsOf(azurite), delayMs });
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  let host: HostProcess | undefined;
  return {
    proxy,
    dataDir,
    async startHost(env = {}) {
      host = await startHostProcess({
        app: repoRoot,
        args: ['--no-azurite', '--store', 'sqlite', '--data-dir', dataDir],
        env: {
          AzureWebJobsStorage: proxy.connectionString,
          EventHubConnection: 'UseLocalEventHub=true',
          ANALYSIS_SCHEDULE: '',
          ...env,
        },
        timeoutMs: 60_000,
      });
      return host;
    },
    async stop() {
      await host?.kill();
      await proxy.close();
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
