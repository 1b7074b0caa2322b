import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * Window revisions on the local host (docs/explanation/windows-and-lateness.md): a window closes at version 1; events
 * later than `lateness` but within `corrections` make version 2 with the delta; /versions shows both.
 */

const T = Date.parse('2026-04-01T00:00:00Z');

interface WindowJson {
  start: number;
  version: number;
  data: { events: number; measures: Record<string, { sum: number }>; revision?: unknown };
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const body = (time: number, value: number) =>
  JSON.stringify({ stream: 'r', time: new Date(time).toISOString(), value });

const windowAt = (version: number) =>
  pollApi(stack, '/api/streams/rev/r/windows?limit=1000', (r) =>
    (r.json as { items: WindowJson[] }).items.find((w) => w.start === T && w.version === version),
  );

describe('window revisions on the local host', () => {
  it('late events within corrections revise a closed window: v2 with the delta, both versions listed', async () => {
    const put = await stack.api('/api/pipelines/rev', {
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
    await pollApi(
      stack,
      '/api/streams/rev/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: JSON.stringify({ stream: 'probe', time: T - 3_600_000, value: 1 }), partition: 0 }]);
      },
    );
    // Window [T, T+10 s) gets 1 + 2; the stream reaches T+25 s; the idle flush closes everything.
    await stack.send([
      { body: body(T + 1000, 1), partition: 0 },
      { body: body(T + 2000, 2), partition: 0 },
      { body: body(T + 25_000, 5), partition: 0 },
    ]);
    expect(await windowAt(1)).toMatchObject({ version: 1, data: { events: 2, measures: { value: { sum: 3 } } } });

    // 22 s behind the partition's watermark: later than lateness (10 s), within corrections.
    await stack.send([
      { body: body(T + 3000, 10), partition: 0 },
      { body: body(T + 4000, 20), partition: 0 },
    ]);
    const v2 = await windowAt(2);
    expect(v2).toMatchObject({
      version: 2,
      data: {
        events: 4,
        measures: { value: { sum: 33 } },
        revision: { events: { before: 2, after: 4 }, partition: '0' },
      },
    });
    const versions = await stack.api(`/api/streams/rev/r/windows/${T}/versions`);
    expect(versions.status).toBe(200);
    expect((versions.json as { items: WindowJson[] }).items.map((v) => [v.version, v.data.events])).toEqual([
      [1, 2],
      [2, 4],
    ]);
    const view = await stack.api('/api/streams/rev/r');
    expect((view.json as { metrics: { revisions: number; late: number } }).metrics).toMatchObject({
      revisions: 1,
      late: 0,
    });
  });
});
