/**
 * Session windows under a crash's redelivery, end to end on the local host (dist/, after `npm run build`): a scripted
 * sequence of one user's clicks (gaps, a late event bridging two sessions, the maxDuration split) where the batch
 * holding the late bridging event reaches the stream entity, the host is SIGKILLed before that batch's checkpoint,
 * and the restart on the same data dir (sqlite durable store) and Azurite makes the hub deliver it again. The rows in
 * /windows (the superseded one included) and the stream's totals must be exactly those of the run without a crash
 * (test/e2e/aggregates.test.ts): the redelivery changes nothing.
 *
 * How the host dies at the right moment (no guessing): ingest checkpoints a batch only after the previous batch's
 * IngestMetrics write of the same partition and minute is done (ingestMetricsWriter). A loopback proxy in front of
 * Azurite holds IngestMetrics requests once armed, so the batch before the bridging one checkpoints while its metrics
 * write hangs, and the bridging batch is merged into the entity but cannot checkpoint. The test proves that window
 * was hit from the killed host's files (checkpoint and durable store).
 */
import { loggedBatches } from '../e2e/e2eKit';
import { EXPECTED_SESSIONS, type SessionRow, sessionsInMinutes } from '../e2e/scriptedSessions';
import { pollUntil } from '../support/fetchText';
import type { HostProcess } from '../support/startHostProcess';
import { checkpointOf, type CrashStack, hostClient, hubInfo, startCrashStack, withinOneMinute } from './crashKit';
import { readCheckpoints, readDurableSnapshot } from './durableSnapshot';

jest.setTimeout(180_000);

const T = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
/** How long the armed proxy holds an IngestMetrics request: far longer than the test needs to kill the host. */
const holdMs = 30_000;

interface StreamView {
  events: number;
  windows: unknown[];
  metrics: { conflicts: number };
  partitions: { partition: string; committed: number; pending: { lastSequence: number } | null }[];
}

describe('session windows on the local host: the batch with the late bridging event is redelivered after a SIGKILL', () => {
  let stack: CrashStack | undefined;
  let armed = false;

  beforeAll(async () => {
    stack = await startCrashStack('e2e-crash-sessions-', (service, _method, path) =>
      armed && service === 'table' && path.includes('IngestMetrics') ? holdMs : 0,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('builds exactly the sessions of the run without a crash, the superseded one included', async () => {
    const { dataDir } = stack!;
    const start = (): Promise<HostProcess> =>
      stack!.startHost({ PIPELINE_REFRESH_SECONDS: '1', IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
    let host = await start();
    const { api, send, drain, untilIngested } = hostClient(() => host.baseUrl);
    const click = (minute: number): string =>
      JSON.stringify({ user: 'alice', clicks: 1, time: new Date(T + minute * MIN).toISOString() });

    const put = await fetch(`${host.baseUrl}/api/pipelines/sess`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key: 'user',
        measures: { clicks: 'clicks' },
        window: { type: 'session', gap: 'PT10M', maxDuration: 'PT1H' },
        lateness: 'PT30M',
        idleTimeout: 'PT3S',
      }),
    });
    expect(put.status).toBe(201);
    await untilIngested(
      JSON.stringify({ user: 'probe', clicks: 1, time: new Date(T - 86_400_000).toISOString() }),
      '/api/streams/sess/probe',
    );

    // The held metrics write and the batch waiting on it must fall in the same minute (the writer's row key).
    await withinOneMinute();
    armed = true;
    // Partition 1, sequences 0-3: sessions [0, 15) and [20, 32). Checkpointed; its metrics write is held.
    await send([0, 5, 20, 22].map(click), '1');
    await pollUntil(async () => (checkpointOf(await hubInfo(host.baseUrl), '1') === 3 ? true : undefined), 30_000, 50);
    // Sequence 4: the late event at minute 13 bridges them. It reaches the entity, its checkpoint waits.
    await send([click(13)], '1');
    await pollUntil(
      async () => {
        const view = await api<StreamView>('/api/streams/sess/alice');
        const p1 = view.json?.partitions?.find((p) => p.partition === '1');
        return view.status === 200 && view.json.events === 5 && p1?.pending?.lastSequence === 4 ? true : undefined;
      },
      30_000,
      50,
    );
    await host.kill();
    armed = false;

    // The window was hit: the durable side holds sequence 4 of partition 1, checkpointed only through 3.
    expect(readCheckpoints(dataDir, ['1']).get('1')).toBe(3);
    expect(readDurableSnapshot(dataDir).receivedThrough.get('1')).toBe(4);

    host = await start();
    await drain();
    // The restart delivered sequence 4 again: the first batch of partition 1 starts there.
    const first = loggedBatches(host.output()).find((b) => b.partition === '1');
    expect(first && { firstSequence: first.firstSequence, lastSequence: first.lastSequence }).toEqual({
      firstSequence: 4,
      lastSequence: 4,
    });
    // Quiet for idleTimeout: the idle flush closes the bridged session before the next events.
    const m = (t: number): number => (t - T) / MIN;
    await pollUntil(
      async () => {
        const rows = (await api<{ items: SessionRow[] }>('/api/streams/sess/alice/windows?limit=100')).json.items;
        return rows.some((w) => m(w.start) === 0 && w.data.closedBy === 'idle') ? true : undefined;
      },
      60_000,
      200,
    );
    // 50 ends at the 60-minute boundary; 62 starts a new session.
    await send([50, 62].map(click), '1');
    await drain();

    let rows: SessionRow[] = [];
    await pollUntil(
      async () => {
        rows = (await api<{ items: SessionRow[] }>('/api/streams/sess/alice/windows?limit=100')).json.items;
        return rows.length >= 4 ? true : undefined;
      },
      60_000,
      200,
    );
    expect(sessionsInMinutes(rows, T)).toEqual(EXPECTED_SESSIONS);
    const view = await pollUntil(
      async () => {
        const v = (await api<StreamView>('/api/streams/sess/alice')).json;
        return v.windows.length === 0 ? v : undefined;
      },
      30_000,
      200,
    );
    expect({ events: view.events, conflicts: view.metrics.conflicts }).toEqual({ events: 7, conflicts: 0 });
  });
});
