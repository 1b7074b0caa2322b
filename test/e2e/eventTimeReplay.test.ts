import { pollUntil } from '../support/fetchText';
import { pollApi, prng, type Stack, startStack } from './e2eKit';

/**
 * A time-sorted history replayed through the local hub without partition keys, so the hub spreads it round-robin over
 * its partitions (local-host/eventhub/localHub.ts), as Event Hubs does: no event is late, and every hourly window
 * closes once with its exact count (docs/explanation/event-time.md). One event dated 9999 in the middle is
 * dead-lettered `future` and leaves the stream's other events on time.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAYS = 60;
const EVENTS = 3000;
const CHUNK = 500;
const STREAMS = ['h-0', 'h-1', 'h-2', 'h-3', 'h-4'];

interface WindowJson {
  start: number;
  data: { events: number; closedBy: string };
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** Appends bodies without partition ids or keys (the hub picks round-robin) and waits until ingest has been through them. */
async function sendRoundRobin(bodies: string[], sentSoFar: number): Promise<void> {
  const res = await fetch(`${stack.host.baseUrl}/runtime/eventhubs/events/events?envelope=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bodies.map((body) => ({ body }))),
  });
  expect(res.status).toBe(200);
  await pollUntil(async () => {
    const hub = (await stack.api('/runtime/eventhubs/events')).json as {
      events: number;
      consumers: { unprocessed: number }[];
    };
    return hub.events === sentSoFar + bodies.length && hub.consumers.every((c) => c.unprocessed === 0)
      ? true
      : undefined;
  }, 60_000);
}

async function allWindows(stream: string): Promise<WindowJson[]> {
  const out: WindowJson[] = [];
  let token: string | undefined;
  do {
    const res = await stack.api(
      `/api/streams/hist/${stream}/windows?limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
    );
    expect(res.status).toBe(200);
    const page = res.json as { items: WindowJson[]; continuationToken?: string | null };
    out.push(...page.items);
    token = page.continuationToken ?? undefined;
  } while (token);
  return out;
}

describe('event time per partition on the local host', () => {
  it('a sorted history sent round-robin: 0 late, exact hourly windows; an event dated 9999 is dead-lettered future', async () => {
    const startedAt = new Date().toISOString();
    const definition = {
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
      idleTimeout: 'PT30S',
      retention: 5000,
    };
    const put = await stack.api('/api/pipelines/hist', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
    await pollApi(stack, '/api/pipelines', (r) =>
      (r.json as { items?: { name: string }[] }).items?.some((p) => p.name === 'hist') ? true : undefined,
    );
    // Ingest reads pipelines every PIPELINE_REFRESH_SECONDS (1 s here): let it see this one before the history starts.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const random = prng(2026);
    const history = Array.from({ length: EVENTS }, () => ({
      stream: STREAMS[Math.floor(random() * random() * STREAMS.length)]!,
      time: T0 + Math.floor(random() * DAYS * 24 * HOUR),
    }));
    history.sort((a, b) => a.time - b.time);
    const expected = new Map<string, Map<number, number>>(STREAMS.map((s) => [s, new Map()]));
    for (const e of history) {
      const start = e.time - (e.time % HOUR);
      const windows = expected.get(e.stream)!;
      windows.set(start, (windows.get(start) ?? 0) + 1);
    }
    const bodies = history.map((e, i) =>
      JSON.stringify({ stream: e.stream, time: new Date(e.time).toISOString(), value: i }),
    );
    const poison = JSON.stringify({ stream: 'h-0', time: '9999-01-01T00:00:00Z', value: -1 });
    bodies.splice(EVENTS / 2, 0, poison);

    for (let at = 0; at < bodies.length; at += CHUNK) await sendRoundRobin(bodies.slice(at, at + CHUNK), at);

    // The hub spread the history evenly over its partitions (round-robin).
    const hub = (await stack.api('/runtime/eventhubs/events')).json as {
      partitionCount: number;
      partitions: { lastSequenceNumber: number }[];
    };
    expect(hub.partitionCount).toBeGreaterThan(1);
    const perPartition = hub.partitions.map((p) => p.lastSequenceNumber + 1);
    expect(Math.max(...perPartition) - Math.min(...perPartition)).toBeLessThanOrEqual(CHUNK);

    let byWatermark = 0;
    for (const stream of STREAMS) {
      const want = expected.get(stream)!;
      const total = [...want.values()].reduce((n, c) => n + c, 0);
      // The last windows close at the idle flush, idleTimeout after the stream's last batch.
      await pollUntil(
        async () => ((await allWindows(stream)).reduce((n, w) => n + w.data.events, 0) >= total ? true : undefined),
        120_000,
        500,
      );
      const windows = await allWindows(stream);
      expect({ stream, windows: new Map(windows.map((w) => [w.start, w.data.events])) }).toEqual({
        stream,
        windows: want,
      });
      byWatermark += windows.filter((w) => w.data.closedBy === 'watermark').length;
      const view = (await stack.api(`/api/streams/hist/${stream}`)).json as {
        events: number;
        metrics: { late: number; lateAtEntity: number; conflicts: number };
      };
      expect({
        stream,
        events: view.events,
        late: view.metrics.late,
        lateAtEntity: view.metrics.lateAtEntity,
        conflicts: view.metrics.conflicts,
      }).toEqual({ stream, events: total, late: 0, lateAtEntity: 0, conflicts: 0 });
    }
    // Most windows closed on the stream watermark while the history streamed in, not at the final idle flush.
    const windowCount = [...expected.values()].reduce((n, m) => n + m.size, 0);
    expect(byWatermark).toBeGreaterThan(windowCount / 2);

    const late = await stack.api(`/api/deadletters?since=${startedAt}&reason=late&limit=1000`);
    expect((late.json as { items: unknown[] }).items).toEqual([]);
    const future = await stack.api(`/api/deadletters?since=${startedAt}&reason=future&limit=1000`);
    expect(
      (future.json as { items: Record<string, unknown>[] }).items.map((d) => [
        d['raw'],
        d['reason'],
        d['pipeline'],
        d['stream'],
      ]),
    ).toEqual([[poison, 'future', 'hist', 'h-0']]);
  }, 400_000);
});
