import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { durableHttpApi, durableRoutePrefix } from '../../../local-host/durable/client/durableHttpApi';
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
