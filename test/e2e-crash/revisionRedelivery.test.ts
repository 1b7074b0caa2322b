/**
 * Window revisions under a crash's redelivery, end to end on the local host (dist/, after `npm run build`; issue #18's
 * "Done when"): a window closes at version 1; a late batch within `corrections` makes version 2 with the delta; the
 * host is SIGKILLed after that batch's entity operations (merged, then committed by the idle flush: version 2 written)
 * but before its checkpoint; the restart on the same data dir (sqlite durable store) and Azurite makes the hub deliver
 * the batch again. The window must stay at version 2 (not 3) and /versions must show exactly versions 1 and 2.
 *
 * How the host dies at the right moment (no guessing), as in sessionRedelivery.test.ts: ingest checkpoints a batch only
 * after the previous batch's IngestMetrics write of the same partition and minute is done (ingestMetricsWriter). A
 * loopback proxy in front of Azurite holds ingest's IngestMetrics reads once armed (not the stream entities' rows,
 * partition `entities`, so the entity's own writes go through), so the batch before the late one checkpoints while its
 * metrics write hangs, and the late batch reaches the entity but cannot checkpoint. The test proves that window was hit
 * from the killed host's files (checkpoint and durable store) and the redelivery from the restarted host's log.
 */
import { encodeStreamKey } from '../../src/core';
import { loggedBatches } from '../e2e/e2eKit';
import { pollUntil } from '../support/fetchText';
import type { HostProcess } from '../support/startHostProcess';
import { checkpointOf, type CrashStack, hostClient, hubInfo, startCrashStack, withinOneMinute } from './crashKit';
import { readCheckpoints, readDurableSnapshot, readStreamStates } from './durableSnapshot';

jest.setTimeout(180_000);

const T = Date.parse('2026-04-01T00:00:00Z');
/** How long the armed proxy holds an ingest IngestMetrics request: far longer than the test needs to kill the host. */
const holdMs = 120_000;

interface WindowJson {
  start: number;
  version: number;
  data: {
    events: number;
    measures: { value: { sum: number } };
    revision?: {
      events: { before: number; after: number };
      measures: { value: { before: { sum: number }; after: { sum: number } } };
      partition: string;
      firstSequence: number;
      lastSequence: number;
    };
  };
}

interface StreamView {
  metrics: { revisions: number; duplicates: number; late: number };
  partitions: { partition: string; committed: number; pending: { lastSequence: number } | null }[];
}

describe('window revisions on the local host: the late batch is redelivered after a SIGKILL before its checkpoint', () => {
  let stack: CrashStack | undefined;
  let armed = false;

  beforeAll(async () => {
    stack = await startCrashStack('e2e-crash-revisions-', (service, _method, path) =>
      armed &&
      service === 'table' &&
      path.includes('IngestMetrics') &&
      path.includes('RowKey') &&
      !path.includes('entities')
        ? holdMs
        : 0,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps version 2 (not 3) and lists exactly versions 1 and 2', async () => {
    const { dataDir } = stack!;
    const start = (): Promise<HostProcess> =>
      stack!.startHost({ PIPELINE_REFRESH_SECONDS: '1', IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
    let host = await start();
    const { api, send, drain, untilIngested } = hostClient(() => host.baseUrl);
    const event = (offsetMs: number, value: number): string =>
      JSON.stringify({ stream: 'r', time: new Date(T + offsetMs).toISOString(), value });
    const view = () => api<StreamView>('/api/streams/rev/r');
    const windowAtT = async (): Promise<WindowJson | undefined> =>
      (await api<{ items: WindowJson[] }>('/api/streams/rev/r/windows?limit=100')).json.items.find(
        (w) => w.start === T,
      );

    const put = await fetch(`${host.baseUrl}/api/pipelines/rev`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        window: { type: 'tumbling', size: 'PT10S' },
        lateness: 'PT10S',
        corrections: 'P1D',
        idleTimeout: 'PT2S',
      }),
    });
    expect(put.status).toBe(201);
    await untilIngested(
      JSON.stringify({ stream: 'probe', time: new Date(T - 3_600_000).toISOString(), value: 1 }),
      '/api/streams/rev/probe',
    );

    // Partition 1, sequences 0-2: window [T, T+10 s) gets 1 + 2; the stream reaches T+25 s; it closes at version 1.
    await send([event(1000, 1), event(2000, 2), event(25_000, 5)], '1');
    await drain();
    const v1 = await pollUntil(async () => windowAtT(), 60_000, 200);
    expect(v1).toMatchObject({ version: 1, data: { events: 2, measures: { value: { sum: 3 } } } });

    // The held metrics write and the batch waiting on it must fall in the same minute (the writer's row key).
    await withinOneMinute();
    armed = true;
    // Sequence 3: an on-time event. Checkpointed; its metrics write is held.
    await send([event(26_000, 7)], '1');
    await pollUntil(async () => (checkpointOf(await hubInfo(host.baseUrl), '1') === 3 ? true : undefined), 30_000, 50);
    // Sequences 4-5: 22 s behind the partition's watermark, later than lateness (10 s), within corrections. The entity
    // takes the batch and the idle flush commits it: version 2 with the delta and the revision counted; its checkpoint
    // waits on the held write.
    await send([event(3000, 10), event(4000, 20)], '1');
    const committed = await pollUntil(
      async () => {
        const v = await view();
        const p1 = v.json?.partitions?.find((p) => p.partition === '1');
        return v.status === 200 && p1?.committed === 5 && p1.pending === null && v.json.metrics.revisions === 1
          ? v.json
          : undefined;
      },
      30_000,
      50,
    );
    expect(committed.metrics).toMatchObject({ revisions: 1, late: 0 });
    const v2 = {
      start: T,
      version: 2,
      data: {
        events: 4,
        measures: { value: { sum: 33 } },
        revision: {
          events: { before: 2, after: 4 },
          measures: { value: { before: { sum: 3 }, after: { sum: 33 } } },
          partition: '1',
          firstSequence: 4,
          lastSequence: 5,
        },
      },
    };
    expect(await windowAtT()).toMatchObject(v2);
    expect(checkpointOf(await hubInfo(host.baseUrl), '1')).toBe(3);
    await host.kill();
    armed = false;

    // The window was hit: the durable side committed sequence 5 of partition 1 (and the revision), checkpointed only
    // through 3.
    expect(readCheckpoints(dataDir, ['1']).get('1')).toBe(3);
    expect(readDurableSnapshot(dataDir).receivedThrough.get('1')).toBe(5);
    const killed = readStreamStates(dataDir).get(encodeStreamKey('rev', 'r'));
    expect({ committed: killed?.partitions['1']?.committed, revisions: killed?.revisions }).toEqual({
      committed: 5,
      revisions: 1,
    });

    host = await start();
    await drain();
    // The restart delivered sequences 4-5 again: the first batch of partition 1 starts there.
    const first = loggedBatches(host.output()).find((b) => b.partition === '1');
    expect(first && { firstSequence: first.firstSequence, lastSequence: first.lastSequence }).toEqual({
      firstSequence: 4,
      lastSequence: 5,
    });
    // The entity recognised it (a batch already committed: a duplicate) and made no second revision.
    const after = await pollUntil(
      async () => {
        const v = (await view()).json;
        return (v?.metrics?.duplicates ?? 0) >= 1 ? v : undefined;
      },
      30_000,
      100,
    );
    expect(after.metrics).toMatchObject({ revisions: 1, duplicates: 1 });
    expect(await windowAtT()).toMatchObject(v2);
    const versions = await api<{ items: WindowJson[] }>(`/api/streams/rev/r/windows/${T}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.json.items.map((v) => [v.version, v.data.events, v.data.measures.value.sum])).toEqual([
      [1, 2, 3],
      [2, 4, 33],
    ]);
    // /api/metrics counts the one revision (written before the crash; the redelivery wrote none).
    const metrics = await api<{ revisions: number; revisionsByPipeline: Record<string, number> }>(
      '/api/metrics?minutes=60',
    );
    expect([metrics.json.revisions, metrics.json.revisionsByPipeline]).toEqual([1, { rev: 1 }]);
  });
});
