import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * Erasing a stream on the local host with Azurite: after DELETE /api/streams/{pipeline}/{stream}, its live view 404s,
 * its windows list is empty, its catalog row and dead letters are gone - and another stream of the same pipeline is
 * exactly as it was.
 */

const T = Date.parse('2026-03-01T00:00:00Z');

interface WindowJson {
  start: number;
  data: { events: number };
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const body = (stream: string, time: number, value: unknown) =>
  JSON.stringify({ stream, time: new Date(time).toISOString(), value });
const windowsOf = async (stream: string) =>
  ((await stack.api(`/api/streams/erase/${stream}/windows?limit=1000`)).json as { items: WindowJson[] }).items;
const deadLettersOf = async (stream: string) =>
  (
    (await stack.api('/api/deadletters?limit=1000')).json as { items: { pipeline?: string; stream?: string }[] }
  ).items.filter((d) => d.pipeline === 'erase' && d.stream === stream);

describe('DELETE /api/streams/{pipeline}/{stream} on the local host', () => {
  it("erases the stream's live state, windows, catalog row and dead letters, and leaves another stream untouched", async () => {
    const definition = {
      filter: 'value >= 0',
      window: { type: 'tumbling', size: 'PT10S' },
      lateness: 'PT10M',
      idleTimeout: 'PT2S',
    };
    const put = await stack.api('/api/pipelines/erase', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
    await pollApi(
      stack,
      '/api/streams/erase/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: body('probe', T - 3_600_000, 1), partition: 0 }]);
      },
    );

    // Two streams, three 10 s windows each; then one event of 'gone' an hour behind its partition's progress, which the
    // pipeline dead-letters as late under the stream's name.
    await stack.send(
      ['gone', 'kept'].flatMap((stream) =>
        [0, 1, 2, 3, 4, 5].map((i) => ({ body: body(stream, T + i * 5_000, i), partition: i % 2 })),
      ),
    );
    await stack.send([{ body: body('gone', T - 3_600_000, 1), partition: 0 }]);
    // The idle flush closes every window once the streams are quiet for idleTimeout.
    for (const stream of ['gone', 'kept']) {
      await pollApi(stack, `/api/streams/erase/${stream}/windows`, (r) =>
        (r.json as { items: WindowJson[] }).items.length === 3 ? true : undefined,
      );
    }
    expect((await deadLettersOf('gone')).length).toBe(1);
    const keptWindows = await windowsOf('kept');
    const keptView = (await stack.api('/api/streams/erase/kept')).json;
    expect((await stack.api('/api/streams/erase/gone')).status).toBe(200);

    const res = await stack.api('/api/streams/erase/gone', { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({
      pipeline: 'erase',
      stream: 'gone',
      deleted: { windows: 3, deadLetters: 1, catalog: true },
      complete: true,
    });

    // The entity's delete is asynchronous (queued behind its pending operations): its view 404s once it has run.
    await pollApi(stack, '/api/streams/erase/gone', (r) => (r.status === 404 ? true : undefined));
    expect(await windowsOf('gone')).toEqual([]);
    expect(await deadLettersOf('gone')).toEqual([]);
    const catalog = (await stack.api('/api/streams?pipeline=erase')).json as { items: { stream: string }[] };
    expect(catalog.items.map((e) => e.stream).sort()).toEqual(['kept', 'probe']);
    expect(await windowsOf('kept')).toEqual(keptWindows);
    expect((await stack.api('/api/streams/erase/kept')).json).toEqual(keptView);
  }, 180_000);
});
