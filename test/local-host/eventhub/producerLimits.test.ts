/** The local hub's producer route against a real host: media types and body caps. */
import { join } from 'node:path';

import { type HostProcess, startHostProcess } from '../../support/startHostProcess';

const app = join(__dirname, '..', '..', 'fixtures', 'apps', 'eventhub-basic');

interface Problem {
  status: number;
  detail: string;
  field: string;
}

describe('local event hub producer route', () => {
  let host: HostProcess;
  let url: string;
  beforeAll(async () => {
    host = await startHostProcess({ app, args: ['--store', 'memory'] });
    url = `${host.baseUrl}/runtime/eventhubs/events`;
  });
  afterAll(async () => {
    expect(await host?.stop()).toBe(0);
  });
  const events = async (): Promise<number> => ((await (await fetch(url)).json()) as { events: number }).events;
  const problemOf = async (res: Response): Promise<Problem> => {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as Problem;
  };

  it("refuses text/plain (a browser's CORS-simple request) and a missing type with 415, appending nothing", async () => {
    const before = await events();
    const plain = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '[{"stream":"s-001?op=reset&","value":1}]',
    });
    expect(plain.status).toBe(415);
    expect(await problemOf(plain)).toMatchObject({
      field: 'Content-Type',
      detail: expect.stringMatching(/must be one of application\/json, application\/x-ndjson.*found "text\/plain"/),
    });
    // A Blob without a type sends no Content-Type at all, also without a preflight.
    const none = await fetch(`${url}/events`, { method: 'POST', body: new Blob(['[1]']) });
    expect(none.status).toBe(415);
    expect((await problemOf(none)).detail).toMatch(/found none/);
    expect(await events()).toBe(before);
  });

  it('accepts JSON (with a charset) and NDJSON', async () => {
    const before = await events();
    const json = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '[{"n":1},{"n":2}]',
    });
    expect(((await json.json()) as { accepted: number }).accepted).toBe(2);
    const ndjson = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"n":3}\n{"n":4}\n',
    });
    expect(((await ndjson.json()) as { accepted: number }).accepted).toBe(2);
    expect(await events()).toBe(before + 4);
  });

  it('refuses an event over 1 MiB with 413 naming it, and appends none of its batch-mates', async () => {
    const before = await events();
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const res = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `{"n":1}\n${big}\n`,
    });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({
      field: 'events[1]',
      detail: expect.stringMatching(/^Event 1 is \d+ bytes; one event may be at most 1048576 bytes/),
    });
    expect(await events()).toBe(before);
  });

  it('refuses a body over 16 MiB with 413, streamed or announced, and keeps serving', async () => {
    const before = await events();
    const line = `${JSON.stringify({ pad: 'y'.repeat(1000) })}\n`;
    const body = line.repeat(Math.ceil((17 * 1024 * 1024) / line.length));
    // Announced: Content-Length says it is too large.
    const announced = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(announced.status).toBe(413);
    expect(await problemOf(announced)).toMatchObject({
      field: 'body',
      detail: expect.stringMatching(/larger than 16777216 bytes/),
    });
    // Streamed: no length up front, so the cap trips while reading.
    const chunks = Array.from({ length: 17 }, () =>
      new TextEncoder().encode(line.repeat(Math.ceil((1024 * 1024) / line.length))),
    );
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await events()).toBe(before);
  });
});
