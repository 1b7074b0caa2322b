import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { acceptSignal, durableHttpApi, durableRoutePrefix } from '../../../local-host/durable/client/durableHttpApi';
import { DurableRuntime } from '../../../local-host/durable/runtime/durableRuntime';
import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import type { HostLogger } from '../../../local-host/extension';
import { fetchText } from '../../support/fetchText';

const quiet: HostLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('durable HTTP API: bad requests are 400s saying what was expected and found', () => {
  const runtime = new DurableRuntime({
    store: new MemoryStore(),
    functions: [],
    invoke: () => Promise.reject(new Error('no functions')),
    logger: quiet,
  });
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    const handler = durableHttpApi(runtime, 'TestHubName', () => origin);
    server = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', origin)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    runtime.store.close();
  });

  it.each([
    [
      'an unknown runtimeStatus',
      'instances/?runtimeStatus=Running,Bogus',
      /Expected runtimeStatus values among .*Running.* but found 'Bogus'/,
    ],
    [
      'a createdTimeFrom that is no date',
      'instances/?createdTimeFrom=yesterday',
      /Expected createdTimeFrom to be a date-time .* but found 'yesterday'/,
    ],
    [
      'a createdTimeTo that is no date',
      'instances/?createdTimeTo=soon',
      /Expected createdTimeTo to be a date-time .* but found 'soon'/,
    ],
  ])('%s', async (_what, path, message) => {
    const res = await fetchText(`${origin}${durableRoutePrefix}${path}`);
    expect(res.status).toBe(400);
    expect((JSON.parse(res.text) as { error: string }).error).toMatch(message);
  });
});

describe('durable HTTP API: entity signals', () => {
  const store = new MemoryStore();
  const runtime = new DurableRuntime({
    store,
    functions: [],
    invoke: () => Promise.reject(new Error('no functions')),
    logger: quiet,
  });
  afterAll(() => runtime.store.close());
  const inputsOf = (marker: string) =>
    store
      .loadMessages()
      .map((m) => (m.body as { input?: unknown }).input)
      .filter((input) => typeof input === 'string' && input.includes(marker));

  it('the HTTP route refuses a body that is not JSON with a 400 naming it, and stores nothing', async () => {
    const handler = durableHttpApi(runtime, 'TestHubName', () => 'http://127.0.0.1');
    const server = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${origin}${durableRoutePrefix}entities/stream/a?op=merge`, {
        method: 'POST',
        body: '{"not-json-marker":',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /Expected the operation input to be JSON but found: \{"not-json-marker"/,
      );
      expect(inputsOf('not-json-marker')).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("stores the SDK's body as given, parsing it only when it is not vouched for as the SDK's JSON", async () => {
    const parse = jest.spyOn(JSON, 'parse');
    const parsesOf = (marker: string) => parse.mock.calls.filter(([text]) => String(text).includes(marker)).length;
    try {
      await acceptSignal(runtime, 'stream', 'a', 'merge', '{"checked-marker":1}');
      await acceptSignal(runtime, 'stream', 'a', 'merge', '{"sdk-marker":1}', 'sdk-json');
      expect([parsesOf('checked-marker'), parsesOf('sdk-marker')]).toEqual([1, 0]);
      expect([inputsOf('checked-marker'), inputsOf('sdk-marker')]).toEqual([
        ['{"checked-marker":1}'],
        ['{"sdk-marker":1}'],
      ]);
    } finally {
      parse.mockRestore();
    }
  });
});
