import { PARTITIONS, pollApi, prng, type Stack, startStack, stats } from './e2eKit';

/**
 * Quiet streams on the local host: a burst of events, then nothing. With a short idleTimeout in the pipeline and the
 * idle-flush timer firing every second, every window reaches the Windows table exactly once with exact figures,
 * without a closing round of extra events; a stream that comes back works as before. Also DEADLETTER_UNMATCHED.
 */

const T = Date.parse('2026-03-01T00:00:00Z');
const WINDOW_MS = 10_000;
const STREAMS = Array.from({ length: 8 }, (_, i) => `q-${i}`);

interface WindowJson {
  start: number;
  end: number;
  data: {
    events: number;
    closedBy: string;
    measures: Record<string, { count: number; sum: number; min: number; max: number }>;
  };
}

interface StreamJson {
  events: number;
  totals: Record<string, { count: number; sum: number }>;
  windows: { start: number }[];
  metrics: { lateAtEntity: number; conflicts: number };
  partitions: { partition: string; pending: unknown }[];
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ IDLE_FLUSH_SCHEDULE: '*/1 * * * * *', DEADLETTER_UNMATCHED: 'true' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const body = (stream: string, time: number, value: number) =>
  JSON.stringify({ stream, time: new Date(time).toISOString(), value });

async function windowsOf(stream: string): Promise<WindowJson[]> {
  const res = await stack.api(`/api/streams/idle/${stream}/windows?limit=1000`);
  expect(res.status).toBe(200);
  return (res.json as { items: WindowJson[] }).items;
}

/**
 * The stream's live view once it holds no open window and nothing pending. The entity saves a closed window to the
 * table during its operation and its own state when the operation ends, so the view can trail the table a moment.
 */
async function flushedView(stream: string): Promise<StreamJson> {
  return pollApi(stack, `/api/streams/idle/${stream}`, (r) => {
    const v = r.json as StreamJson;
    return r.status === 200 && v.windows.length === 0 && v.partitions.every((p) => p.pending === null) ? v : undefined;
  });
}

describe('idle flush on the local host with Azurite', () => {
  it('closes every window of streams that went quiet exactly once, with exact numbers, and keeps working when they come back', async () => {
    const definition = {
      filter: 'value >= 0',
      window: { type: 'tumbling', size: 'PT10S' },
      lateness: 'PT10M',
      idleTimeout: 'PT3S',
    };
    const put = await stack.api('/api/pipelines/idle', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ definition: { idleTimeout: 'PT3S' } });
    await pollApi(
      stack,
      '/api/streams/idle/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: body('probe', T - 3_600_000, 1), partition: 0 }]);
      },
    );

    // A burst: 800 events over 8 streams and 4 partitions, 40 s of event time (4 windows per stream), then silence.
    const random = prng(4242);
    const byWindow = new Map<string, number[]>();
    const byStream = new Map<string, number[]>();
    const events: { body: string; partition: number }[] = [];
    for (let i = 0; i < 800; i++) {
      const stream = STREAMS[Math.floor(random() * STREAMS.length)]!;
      const time = T + Math.floor(random() * 4 * WINDOW_MS);
      const value = Math.floor(random() * 4000) / 4;
      const key = `${stream}|${Math.floor(time / WINDOW_MS) * WINDOW_MS}`;
      byWindow.set(key, [...(byWindow.get(key) ?? []), value]);
      byStream.set(stream, [...(byStream.get(stream) ?? []), value]);
      events.push({ body: body(stream, time, value), partition: i % PARTITIONS });
    }
    // One event every pipeline filters out: dead-lettered once as no-pipeline (DEADLETTER_UNMATCHED=true).
    const unmatched = body('q-0', T + 1000, -5);
    events.splice(400, 0, { body: unmatched, partition: 1 });
    await stack.send(events);

    const startsOf = (stream: string) =>
      [...byWindow.keys()]
        .filter((k) => k.startsWith(`${stream}|`))
        .map((k) => Number(k.split('|')[1]))
        .sort((a, b) => a - b);
    for (const stream of STREAMS) {
      const expectedStarts = startsOf(stream);
      const items = await pollApi(stack, `/api/streams/idle/${stream}/windows?limit=1000`, (r) => {
        const got = (r.json as { items: WindowJson[] }).items;
        return got.length >= expectedStarts.length ? got : undefined;
      });
      expect(items.map((w) => w.start)).toEqual(expectedStarts);
      for (const w of items) {
        const want = stats(byWindow.get(`${stream}|${w.start}`)!);
        const got = w.data.measures['value'];
        expect({
          stream,
          start: w.start,
          end: w.end,
          events: w.data.events,
          closedBy: w.data.closedBy,
          count: got?.count,
          sum: got?.sum,
          min: got?.min,
          max: got?.max,
        }).toEqual({
          stream,
          start: w.start,
          end: w.start + WINDOW_MS,
          events: want.count,
          closedBy: 'idle',
          count: want.count,
          sum: want.sum,
          min: want.min,
          max: want.max,
        });
      }
      // Nothing is left open or pending; the totals are exact.
      const view = await flushedView(stream);
      expect({
        stream,
        events: view.events,
        sum: view.totals['value']?.sum,
        windows: view.windows,
        pending: view.partitions.filter((p) => p.pending !== null),
      }).toEqual({
        stream,
        events: byStream.get(stream)!.length,
        sum: stats(byStream.get(stream)!).sum,
        windows: [],
        pending: [],
      });
    }

    // q-0 and q-1 come back: one event for a window already closed (within ingest's lateness, so it reaches the entity
    // and counts as late there) and events in a new window, which the next quiet period closes.
    const comeback = T + 10 * WINDOW_MS;
    const oldStart = startsOf('q-0')[0]!;
    await stack.send([
      { body: body('q-0', oldStart + 1, 1000), partition: 2 },
      { body: body('q-0', comeback + 5, 3), partition: 2 },
      { body: body('q-0', comeback + 6, 4), partition: 3 },
      { body: body('q-1', comeback + 7, 9), partition: 2 },
    ]);
    const q0 = await pollApi(stack, '/api/streams/idle/q-0/windows?limit=1000', (r) => {
      const got = (r.json as { items: WindowJson[] }).items;
      return got.some((w) => w.start === comeback) ? got : undefined;
    });
    expect(q0.map((w) => w.start)).toEqual([...startsOf('q-0'), comeback]);
    expect(q0.find((w) => w.start === oldStart)?.data.events).toBe(byWindow.get(`q-0|${oldStart}`)!.length);
    expect(q0.find((w) => w.start === comeback)?.data).toMatchObject({
      events: 2,
      closedBy: 'idle',
      measures: { value: { sum: 7 } },
    });
    const q0View = await flushedView('q-0');
    expect({
      events: q0View.events,
      lateAtEntity: q0View.metrics.lateAtEntity,
      conflicts: q0View.metrics.conflicts,
    }).toEqual({ events: byStream.get('q-0')!.length + 3, lateAtEntity: 1, conflicts: 0 });
    const q1 = await pollApi(stack, '/api/streams/idle/q-1/windows?limit=1000', (r) =>
      (r.json as { items: WindowJson[] }).items.some((w) => w.start === comeback)
        ? (r.json as { items: WindowJson[] }).items
        : undefined,
    );
    expect(q1.map((w) => w.start)).toEqual([...startsOf('q-1'), comeback]);
    expect((await windowsOf('q-2')).map((w) => w.start)).toEqual(startsOf('q-2'));

    // The unmatched event: one dead letter without a pipeline.
    const dead = await pollApi(stack, `/api/deadletters?since=${T}&reason=no-pipeline`, (r) =>
      (r.json as { items: unknown[] }).items.length > 0
        ? (r.json as { items: Record<string, unknown>[] }).items
        : undefined,
    );
    expect(dead.map((d) => [d['raw'], d['reason'], d['pipeline'], d['partition']])).toEqual([
      [unmatched, 'no-pipeline', undefined, '1'],
    ]);
  }, 300_000);
});
