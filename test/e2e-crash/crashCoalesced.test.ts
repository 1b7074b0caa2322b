/**
 * The crash test again with coalescing ingest (ENTITY_FLUSH_INTERVAL=PT2S; docs/explanation/effectively-once.md):
 * events stream into the local hub, the host is SIGKILLed while the IngestBuffer table holds batches the entities have
 * not received yet, some of them not checkpointed either, and is restarted on the same data dir and Azurite; every
 * stream's count and sum must equal exactly what was sent, and the buffer must end empty. The events are time-sorted
 * over several 1-minute windows and spread round-robin over the partitions (every stream on every partition, one
 * stream in few batches), so windows close on the per-partition watermarks while other partitions' batches are still
 * buffered: every window's count and sum (closed or live) must equal what was sent into it, none late at the entity.
 */

import { TableClient } from '@azure/data-tables';

import { pollUntil } from '../support/fetchText';
import type { HostProcess } from '../support/startHostProcess';
import { checkpointOf, type CrashStack, drain, hubInfo, startCrashStack } from './crashKit';
import { readCheckpoints, type StreamTotals } from './durableSnapshot';
import { SteadySender } from './steadySender';

jest.setTimeout(180_000);

const streams = 7;
const partitions = ['0', '1', '2', '3'];
const metricsDelayMs = 150;
/**
 * 500 ms of event time per event: 120 events per 1-minute window, so the 30 s lateness is a few batches and a
 * partition's buffered batches span more than it. The stream `rare` gets events of one partition, and from the 1,000th
 * event on of a second one too: that partition's first `rare` events sit in its buffer while the other partitions,
 * flushed, are past their window (the case coalescing rule 9 is about).
 */
const spacing = { spacingMs: 500, rareEvery: 52, rareWiderFrom: 1000 };
const names = [...Array.from({ length: streams }, (_, s) => `s-${s}`), 'rare'];

interface StreamResponse {
  totals: { value?: { count: number; sum: number } };
  metrics: { conflicts: number };
}

async function totals(
  baseUrl: string,
  names: readonly string[],
): Promise<Record<string, StreamTotals & { conflicts: number }>> {
  const out: Record<string, StreamTotals & { conflicts: number }> = {};
  for (const name of names) {
    const res = await fetch(`${baseUrl}/api/streams/default/${name}`);
    const text = await res.text();
    if (res.status !== 200 && res.status !== 404) throw new Error(`GET stream ${name}: ${res.status} ${text}`);
    const v = res.status === 404 ? undefined : (JSON.parse(text) as StreamResponse);
    out[name] = {
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
      const got = await totals(baseUrl, Object.keys(want));
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

interface WindowJson {
  start: number;
  data: { events: number; measures: { value?: { sum: number } } };
}
interface ViewJson {
  windows: { start: number; events: number; measures: { value?: { sum: number } } }[];
  metrics: { lateAtEntity: number };
}

/**
 * `{stream}|{window start}` -> count and sum, over the stream's closed windows (the table) and its live ones (the view);
 * a window is in one or the other. Also each stream's lateAtEntity and how many of its windows were closed.
 */
async function windowTotals(
  baseUrl: string,
): Promise<{ windows: Map<string, StreamTotals>; late: Record<string, number>; closed: number }> {
  const windows = new Map<string, StreamTotals>();
  const late: Record<string, number> = {};
  let closed = 0;
  const add = (key: string, count: number, sum: number) => {
    const t = windows.get(key) ?? { count: 0, sum: 0 };
    windows.set(key, { count: t.count + count, sum: t.sum + sum });
  };
  for (const name of names) {
    const res = await fetch(`${baseUrl}/api/streams/default/${name}/windows?limit=1000`);
    if (res.status !== 200)
      throw new Error(`GET windows of ${name}: expected 200, found ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: WindowJson[] };
    closed += page.items.length;
    for (const w of page.items) add(`${name}|${w.start}`, w.data.events, w.data.measures.value?.sum ?? 0);
    const live = await fetch(`${baseUrl}/api/streams/default/${name}`);
    if (live.status === 404) continue;
    const v = (await live.json()) as ViewJson;
    late[name] = v.metrics.lateAtEntity;
    for (const w of v.windows) add(`${name}|${w.start}`, w.events, w.measures.value?.sum ?? 0);
  }
  return { windows, late, closed };
}

describe('Streamfold on the local host with ENTITY_FLUSH_INTERVAL=PT2S: SIGKILL mid-stream, restart, drain', () => {
  let stack: CrashStack | undefined;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    stack = await startCrashStack('e2e-crash-coalesced-', (service, _method, path) =>
      service === 'table' && path.includes('IngestMetrics') ? metricsDelayMs : 0,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts every event exactly once although buffered, undelivered and unacknowledged batches were lost with the process', async () => {
    const { dataDir, proxy } = stack!;
    const start = (): Promise<HostProcess> => stack!.startHost({ ENTITY_FLUSH_INTERVAL: 'PT2S' });
    host = await start();
    const sender = new SteadySender({ streams, batch: 100, intervalMs: 40, spacing }, host.baseUrl);
    sender.start();

    // Crash when batches are checkpointed, the buffer holds batches the entities have not received, and at least one
    // buffered batch is past its partition's checkpoint (the restart redelivers it: its row is written again).
    let atCrash = new Map<string, Array<[number, number]>>();
    await pollUntil(
      async () => {
        const info = await hubInfo(host!.baseUrl);
        const checkpointed = partitions.reduce((n, p) => n + checkpointOf(info, p) + 1, 0);
        if (checkpointed < 1500) return undefined;
        const rows = await bufferRows(proxy.connectionString);
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
      async () => ([...(await bufferRows(proxy.connectionString)).values()].flat().length === 0 ? true : undefined),
      30_000,
      250,
    );
    // Window aggregates, not only totals: every window of every stream holds exactly what was sent into it.
    const sentWindows = new Map(
      [...sender.sentWindows].map(([k, t]) => [k, t] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
    let lastWindows: Awaited<ReturnType<typeof windowTotals>> | undefined;
    await pollUntil(
      async () => {
        lastWindows = await windowTotals(host!.baseUrl);
        const got = new Map([...lastWindows.windows].sort(([a], [b]) => a.localeCompare(b)));
        return JSON.stringify([...got]) === JSON.stringify([...sentWindows]) ? true : undefined;
      },
      30_000,
      500,
    ).catch((err: Error) => {
      const diff = [...new Set([...sentWindows.keys(), ...(lastWindows?.windows.keys() ?? [])])]
        .filter((k) => JSON.stringify(sentWindows.get(k)) !== JSON.stringify(lastWindows?.windows.get(k)))
        .map(
          (k) =>
            `${k}: sent ${JSON.stringify(sentWindows.get(k))}, found ${JSON.stringify(lastWindows?.windows.get(k))}`,
        );
      throw new Error(`${err.message}\nwindows differing from what was sent:\n${diff.join('\n')}`);
    });
    expect(lastWindows?.late).toEqual(Object.fromEntries(names.map((n) => [n, 0])));
    // Several windows per stream, most closed on the watermark while partitions were buffered behind each other.
    expect(new Set([...sentWindows.keys()].map((k) => k.split('|')[1])).size).toBeGreaterThanOrEqual(3);
    expect(lastWindows?.closed).toBeGreaterThanOrEqual(names.length);
    // Fewer entity operations than one per stream per batch: /api/metrics over the run.
    const metrics = (await (await fetch(`${host.baseUrl}/api/metrics?minutes=10`)).json()) as {
      events: number;
      entityOperations: number;
      batches: number;
    };
    expect(metrics.entityOperations).toBeGreaterThan(0);
  });
});
