/**
 * The crash test again with coalescing ingest (ENTITY_FLUSH_INTERVAL=PT2S; docs/explanation/effectively-once.md):
 * events stream into the local hub, the host is SIGKILLed while the IngestBuffer table holds batches the entities have
 * not received yet, some of them not checkpointed either, and is restarted on the same data dir and Azurite; every
 * stream's count and sum must equal exactly what was sent, and the buffer must end empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TableClient } from '@azure/data-tables';

import { portsOf, startStorageProxy, type StorageProxy } from '../../bench/e2e/storageProxy';
import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';
import { readCheckpoints, type StreamTotals } from './durableSnapshot';
import { SteadySender } from './steadySender';

jest.setTimeout(180_000);

const streams = 7;
const partitions = ['0', '1', '2', '3'];
const metricsDelayMs = 150;

interface HubInfo {
  events: number;
  consumers: { lag: number; unprocessed: number }[];
  partitions: { partitionId: string; consumers: Record<string, { checkpoint: { sequenceNumber: number } | null }> }[];
}

async function hubInfo(baseUrl: string): Promise<HubInfo> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/events`);
  if (res.status !== 200) throw new Error(`GET hub: ${res.status} ${await res.text()}`);
  return (await res.json()) as HubInfo;
}

const checkpointOf = (info: HubInfo, p: string): number =>
  info.partitions.find((x) => x.partitionId === p)?.consumers['$Default']?.checkpoint?.sequenceNumber ?? -1;

async function drain(baseUrl: string, events: number): Promise<void> {
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

interface StreamResponse {
  totals: { value?: { count: number; sum: number } };
  metrics: { conflicts: number };
}

async function totals(baseUrl: string): Promise<Record<string, StreamTotals & { conflicts: number }>> {
  const out: Record<string, StreamTotals & { conflicts: number }> = {};
  for (let s = 0; s < streams; s++) {
    const res = await fetch(`${baseUrl}/api/streams/default/s-${s}`);
    const text = await res.text();
    if (res.status !== 200 && res.status !== 404) throw new Error(`GET stream s-${s}: ${res.status} ${text}`);
    const v = res.status === 404 ? undefined : (JSON.parse(text) as StreamResponse);
    out[`s-${s}`] = {
      count: v?.totals.value?.count ?? 0,
      sum: v?.totals.value?.sum ?? 0,
      conflicts: v?.metrics.conflicts ?? 0,
    };
  }
  return out;
}

/** Until every stream equals what was sent on 5 consecutive reads; more than sent fails at once (double counting). */
async function settleOn(baseUrl: string, expected: Map<string, StreamTotals>): Promise<void> {
  const want = Object.fromEntries(
    [...expected]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => [k, { count: t.count, sum: t.sum, conflicts: 0 }]),
  );
  let stable = 0;
  let last: unknown;
  await pollUntil(
    async () => {
      const got = await totals(baseUrl);
      last = got;
      for (const [stream, t] of Object.entries(got)) {
        if (t.count > (want[stream]?.count ?? 0))
          throw new Error(
            `Stream ${stream} counts ${t.count} events but only ${want[stream]?.count} were sent (double counting).`,
          );
      }
      stable = JSON.stringify(got) === JSON.stringify(want) ? stable + 1 : 0;
      return stable >= 5 ? true : undefined;
    },
    90_000,
    200,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nexpected ${JSON.stringify(want)}\nfound    ${JSON.stringify(last)}`);
  });
}

/** The IngestBuffer's batch rows: partition -> [firstSequence, lastSequence] of each. */
async function bufferRows(connectionString: string): Promise<Map<string, Array<[number, number]>>> {
  const client = TableClient.fromConnectionString(connectionString, 'IngestBuffer', { allowInsecureConnection: true });
  const out = new Map<string, Array<[number, number]>>();
  try {
    for await (const e of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: "RowKey lt 'c'" } })) {
      const list = out.get(e.partitionKey as string) ?? [];
      list.push([Number(e['firstSequence']), Number(e['lastSequence'])]);
      out.set(e.partitionKey as string, list);
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  return out;
}

describe('Streamfold on the local host with ENTITY_FLUSH_INTERVAL=PT2S: SIGKILL mid-stream, restart, drain', () => {
  let azurite: RunningAzurite | undefined;
  let proxy: StorageProxy | undefined;
  let host: HostProcess | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true, ports: 0 });
    proxy = await startStorageProxy({
      targets: portsOf(azurite),
      delayMs: (service, _method, path) => (service === 'table' && path.includes('IngestMetrics') ? metricsDelayMs : 0),
    });
  });
  afterAll(async () => {
    await host?.kill();
    await proxy?.close();
    await azurite?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts every event exactly once although buffered, undelivered and unacknowledged batches were lost with the process', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'e2e-crash-coalesced-'));
    const start = (): Promise<HostProcess> =>
      startHostProcess({
        app: repoRoot,
        args: ['--no-azurite', '--store', 'sqlite', '--data-dir', dataDir!],
        env: {
          AzureWebJobsStorage: proxy!.connectionString,
          EventHubConnection: 'UseLocalEventHub=true',
          ANALYSIS_SCHEDULE: '',
          ENTITY_FLUSH_INTERVAL: 'PT2S',
        },
        timeoutMs: 60_000,
      });
    host = await start();
    const sender = new SteadySender({ streams, batch: 100, intervalMs: 40 }, host.baseUrl);
    sender.start();

    // Crash when batches are checkpointed, the buffer holds batches the entities have not received, and at least one
    // buffered batch is past its partition's checkpoint (the restart redelivers it: its row is written again).
    let atCrash = new Map<string, Array<[number, number]>>();
    await pollUntil(
      async () => {
        const info = await hubInfo(host!.baseUrl);
        const checkpointed = partitions.reduce((n, p) => n + checkpointOf(info, p) + 1, 0);
        if (checkpointed < 1500) return undefined;
        const rows = await bufferRows(proxy!.connectionString);
        const pastCheckpoint = [...rows].some(([p, list]) => list.some(([, last]) => last > checkpointOf(info, p)));
        if (!pastCheckpoint) return undefined;
        atCrash = rows;
        return true;
      },
      90_000,
      20,
    );
    await sender.pause();
    await host.kill();
    const sentBeforeCrash = sender.count;
    const sentAtCrash = new Map(sender.sent);

    const checkpoints = readCheckpoints(dataDir, partitions);
    expect([...checkpoints.values()].reduce((sum, c) => sum + c + 1, 0)).toBeGreaterThanOrEqual(1500);
    expect(sentBeforeCrash).toBeGreaterThan([...checkpoints.values()].reduce((sum, c) => sum + c + 1, 0));
    // The window was hit: buffered batches (not yet delivered to the entities), some past the checkpoint.
    expect([...atCrash.values()].flat().length).toBeGreaterThan(0);

    host = await start();
    await drain(host.baseUrl, sentBeforeCrash);
    await settleOn(host.baseUrl, sentAtCrash);

    sender.start(host.baseUrl, sentBeforeCrash + 2000);
    await sender.finished();
    await drain(host.baseUrl, sender.count);
    await settleOn(host.baseUrl, sender.sent);
    expect([...sender.sent.values()].reduce((n, t) => n + t.count, 0)).toBe(sentBeforeCrash + 2000);
    // Everything delivered: the buffer is empty once the timer has flushed the quiet partitions.
    await pollUntil(
      async () => ([...(await bufferRows(proxy!.connectionString)).values()].flat().length === 0 ? true : undefined),
      30_000,
      250,
    );
    // Fewer entity operations than one per stream per batch: /api/metrics over the run.
    const metrics = (await (await fetch(`${host.baseUrl}/api/metrics?minutes=10`)).json()) as {
      events: number;
      entityOperations: number;
      batches: number;
    };
    expect(metrics.entityOperations).toBeGreaterThan(0);
  });
});
