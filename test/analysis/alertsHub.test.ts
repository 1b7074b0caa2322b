import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { decodeRecord } from '../../local-host/eventhub/recordCodec';
import type { Report } from '../../src/core/analysis/types';
import { gaussian, mulberry32 } from '../../src/core/random/prng';
import { encodeStreamKey } from '../../src/core/streams';
import type { AnalysisOutput, Progress } from '../../src/functions/analysis/types';
import { alertIdentity } from '../../src/storage/alertIdentity';
import { createStores } from '../../src/storage/createStores';
import type { AlertRecord } from '../../src/storage/types';
import { startTableAzurite, type TableAzurite } from '../storage/startTableAzurite';
import { fetchText, pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';
import { closedWindow, MINUTE, T0 } from './fixtures';

/**
 * Alerts reach the `alerts` Event Hub exactly once, on the local host with its own Azurite: the
 * Windows table and Streams catalog are seeded directly, POST /api/analyses runs the orchestration,
 * and the local hub (the output binding's %ALERTS_EVENTHUB_NAME%) is checked twice over: its
 * partition info over HTTP (GET /runtime/eventhubs/alerts: per-partition last sequence numbers;
 * the hub has no read endpoint) and its events' content, read from the hub's persisted partition
 * logs under the host's data dir with the host's own record codec, once the runs are done.
 * Also covers the successful paths of the analysis routes: the 202's status URLs, GET with progress
 * and report, and the list filtered by status. Needs `npm run build`.
 */
const PIPELINE = 'hubtest';
const WINDOWS = 60;
const STREAMS = ['calm-a', 'calm-b', 'calm-c', 'hot', 'cold'];
const FROM = new Date(T0).toISOString();
const TO = new Date(T0 + WINDOWS * MINUTE).toISOString();

/** A stream's windows: 5 noisy events each (mean 100, σ 5), `planted` window index -> offset added. */
function windowsOf(stream: string, planted: Record<number, number> = {}) {
  const g = gaussian(mulberry32(STREAMS.indexOf(stream) + 11));
  return Array.from({ length: WINDOWS }, (_, i) =>
    closedWindow(
      T0 + i * MINUTE,
      Array.from({ length: 5 }, () => 100 + 5 * g() + (planted[i] ?? 0)),
    ),
  );
}

let azurite: TableAzurite;
let host: HostProcess;
let stores: ReturnType<typeof createStores>;

beforeAll(async () => {
  azurite = await startTableAzurite();
  stores = createStores({ AzureWebJobsStorage: azurite.connectionString });
  for (const stream of STREAMS) {
    const planted: Record<number, number> = stream === 'hot' ? { 30: 60 } : stream === 'cold' ? { 45: -50 } : {};
    await stores.windows.upsert(encodeStreamKey(PIPELINE, stream), windowsOf(stream, planted));
  }
  await stores.streams.touch(
    STREAMS.map((stream) => ({ pipeline: PIPELINE, stream, lastSeen: TO, events: WINDOWS * 5, eventsPerSec: 5 / 60 })),
  );
  host = await startHostProcess({
    app: repoRoot,
    args: ['--no-azurite'],
    env: { AzureWebJobsStorage: azurite.connectionString, ANALYSIS_SCHEDULE: '' },
    timeoutMs: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

async function getJson<T>(url: string): Promise<T> {
  const res = await fetchText(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
}

interface HubInfo {
  events: number;
  partitions: { partitionId: string; lastSequenceNumber: number }[];
}

/** Events on the alerts hub from its partition info: Σ (last sequence number + 1). */
async function hubCount(): Promise<number> {
  const info = await getJson<HubInfo>(`${host.baseUrl}/runtime/eventhubs/alerts`);
  const fromPartitions = info.partitions.reduce((n, p) => n + p.lastSequenceNumber + 1, 0);
  expect(info.events).toBe(fromPartitions);
  return fromPartitions;
}

/** Every event body on the alerts hub, from the hub's partition logs (NDJSON segments) in the host's data dir. */
function hubBodies(): AlertRecord[] {
  const dir = join(host.dataDir, 'eventhubs', 'alerts');
  const out: AlertRecord[] = [];
  for (const partition of readdirSync(dir).filter((n) => /^\d+$/.test(n))) {
    for (const segment of readdirSync(join(dir, partition))
      .filter((n) => n.endsWith('.ndjson'))
      .sort()) {
      const lines = readFileSync(join(dir, partition, segment), 'utf8')
        .split('\n')
        .filter(Boolean);
      for (const line of lines) {
        const event = decodeRecord(line, 0);
        if (!event) throw new Error(`unreadable record in ${partition}/${segment}: ${line}`);
        out.push(JSON.parse(event.body.toString('utf8')) as AlertRecord);
      }
    }
  }
  return out;
}

async function tableAlerts(): Promise<AlertRecord[]> {
  return (await getJson<{ items: AlertRecord[] }>(`${host.baseUrl}/api/alerts?pipeline=${PIPELINE}&limit=1000`)).items;
}

interface AnalysisView {
  id: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  progress: Progress | null;
  report?: Report;
}

/** POST /api/analyses and follow it to completion; checks the 202 and its status URL on the way. */
async function analyse(): Promise<{ view: AnalysisView; output: AnalysisOutput }> {
  const started = await fetchText(`${host.baseUrl}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pipeline: PIPELINE, from: FROM, to: TO }),
  });
  expect(started.status).toBe(202);
  const links = JSON.parse(started.text) as { id: string; statusQueryGetUri: string };
  expect(started.headers.get('location')).toBe(links.statusQueryGetUri);
  // Streamfold's own status route, not the extension's management URLs (on Azure they carry its system key).
  expect(links.statusQueryGetUri).toBe(`${host.baseUrl}/api/analyses/${links.id}`);

  const view = await pollUntil(
    async () => {
      const v = await getJson<AnalysisView>(`${host.baseUrl}/api/analyses/${links.id}`);
      if (v.runtimeStatus === 'Failed') throw new Error(`analysis failed: ${JSON.stringify(v)}`);
      return v.runtimeStatus === 'Completed' ? v : undefined;
    },
    60_000,
    100,
  );
  expect(view.id).toBe(links.id);

  // The extension's status API (read directly here) has the same instance, with the orchestration's output.
  const status = await getJson<{ name: string; instanceId: string; runtimeStatus: string; output: AnalysisOutput }>(
    `${host.baseUrl}/runtime/webhooks/durabletask/instances/${links.id}`,
  );
  expect(status).toMatchObject({ name: 'analyzeStreams', instanceId: links.id, runtimeStatus: 'Completed' });
  return { view, output: status.output };
}

const identities = (alerts: readonly AlertRecord[]): string[] => alerts.map(alertIdentity).sort();

describe('alerts on the alerts Event Hub', () => {
  let first: Awaited<ReturnType<typeof analyse>>;
  let firstAlerts: AlertRecord[];

  it('publishes exactly the raised alerts once, with their content', async () => {
    expect(await hubCount()).toBe(0);
    first = await analyse();

    const { view, output } = first;
    expect(view.progress).toEqual({ phase: 'done', streams: STREAMS.length, chunksDone: 1, chunksTotal: 1 });
    expect(Date.parse(view.lastUpdatedTime)).toBeGreaterThanOrEqual(Date.parse(view.createdTime));
    expect(view.report!.streamCount).toBe(STREAMS.length);
    expect(
      view
        .report!.ranking.slice(0, 2)
        .map((r) => r.stream)
        .sort(),
    ).toEqual(['cold', 'hot']);

    firstAlerts = await tableAlerts();
    expect(new Set(firstAlerts.map((a) => a.stream))).toEqual(new Set(['cold', 'hot']));
    expect(output.alertsRaised).toBe(firstAlerts.length);
    expect(await hubCount()).toBe(firstAlerts.length);

    const published = hubBodies();
    expect(identities(published)).toEqual(identities(firstAlerts));
    expect(new Set(identities(published)).size).toBe(published.length);
    for (const a of published) {
      expect(a).toMatchObject({ pipeline: PIPELINE, reportId: view.id });
      expect(a.severity).toBeGreaterThanOrEqual(1.5);
    }
    expect(published.find((a) => a.stream === 'hot')!.windowStart).toBe(new Date(T0 + 30 * MINUTE).toISOString());
  }, 120_000);

  it('publishes nothing again when the same period is analysed again', async () => {
    const again = await analyse();
    expect(again.view.id).not.toBe(first.view.id);
    expect(again.output.alertsRaised).toBe(0);
    expect(await hubCount()).toBe(firstAlerts.length);
    expect(identities(hubBodies())).toEqual(identities(firstAlerts));
    expect(identities(await tableAlerts())).toEqual(identities(firstAlerts));
  }, 120_000);

  it('publishes only the newly raised alerts when a re-run finds a new anomaly', async () => {
    // A late-corrected window of calm-b now holds a spike: only its alerts are new.
    await stores.windows.upsert(encodeStreamKey(PIPELINE, 'calm-b'), windowsOf('calm-b', { 50: 70 }));
    const third = await analyse();
    const all = await tableAlerts();
    const fresh = all.filter((a) => !identities(firstAlerts).includes(alertIdentity(a)));
    expect(fresh.length).toBeGreaterThan(0);
    expect(new Set(fresh.map((a) => a.stream))).toEqual(new Set(['calm-b']));
    expect(third.output.alertsRaised).toBe(fresh.length);

    expect(await hubCount()).toBe(all.length);
    const published = hubBodies();
    expect(identities(published)).toEqual(identities(all));
    expect(
      published
        .filter((a) => a.reportId === third.view.id)
        .map(alertIdentity)
        .sort(),
    ).toEqual(identities(fresh));
  }, 120_000);

  it('lists the runs, newest first, filtered by status', async () => {
    type Listed = { items: { id: string; runtimeStatus: string; progress: Progress | null }[] };
    const completed = await getJson<Listed>(`${host.baseUrl}/api/analyses?status=Completed`);
    expect(completed.items).toHaveLength(3);
    expect(completed.items.every((r) => r.runtimeStatus === 'Completed' && r.progress?.phase === 'done')).toBe(true);
    expect(completed.items.at(-1)!.id).toBe(first.view.id);
    const running = await getJson<Listed>(`${host.baseUrl}/api/analyses?status=Running,Pending,Failed`);
    expect(running.items).toEqual([]);
    const all = await getJson<Listed>(`${host.baseUrl}/api/analyses`);
    expect(all.items.map((r) => r.id)).toEqual(completed.items.map((r) => r.id));
    const unknown = await fetchText(`${host.baseUrl}/api/analyses/no-such-run`);
    expect(unknown.status).toBe(404);
  }, 60_000);
});
