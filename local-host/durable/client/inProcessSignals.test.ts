import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { requestError } from '../../errors';
import { clientBindingData } from './clientBinding';
import {
  type AxiosModule,
  axiosOfLoadedDurableFunctions,
  routeSignalsInProcess,
  signalTarget,
} from './inProcessSignals';

// Nothing listens on port 1: a request that leaves the process fails to connect.
const origin = 'http://127.0.0.1:1';
const rpcBase = `${origin}/runtime/webhooks/durabletask/`;
// The very axios copy durable-functions uses (the same module registry, so the same instance).
const axios = jest.requireActual<AxiosModule>(
  require.resolve('axios', { paths: [dirname(require.resolve('durable-functions'))] }),
);

function client(at = origin, systemKey?: string): df.DurableClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [input] } });
  context.extraInputs.set(input, clientBindingData(at, 'Streamfold', systemKey));
  return df.getClient(context);
}

describe('signalTarget', () => {
  it('reads the entity and operation of a signal to this host', () => {
    expect(signalTarget({ method: 'post', url: `${rpcBase}entities/stream/default%2Fs-1?op=merge` }, rpcBase)).toEqual({
      name: 'stream',
      key: 'default/s-1',
      operation: 'merge',
    });
  });

  it('leaves every other request alone', () => {
    expect(signalTarget({ method: 'get', url: `${rpcBase}entities/stream/a` }, rpcBase)).toBeUndefined();
    expect(signalTarget({ method: 'post', url: `${rpcBase}orchestrators/hello` }, rpcBase)).toBeUndefined();
    expect(
      signalTarget(
        { method: 'post', url: `http://127.0.0.1:2/runtime/webhooks/durabletask/entities/stream/a?op=x` },
        rpcBase,
      ),
    ).toBeUndefined();
    expect(signalTarget({ method: 'post', url: `${rpcBase}entities/stream` }, rpcBase)).toBeUndefined();
    expect(signalTarget({ method: 'post', url: `${rpcBase}entities/stream/a/b%20c?op=x` }, rpcBase)).toEqual({
      name: 'stream',
      key: 'a/b c',
      operation: 'x',
    });
  });
});

describe('routeSignalsInProcess', () => {
  it('hands the SDK signalEntity call to the sink, with the body the SDK built, and no network', async () => {
    const seen: unknown[] = [];
    const uninstall = routeSignalsInProcess(
      () => rpcBase,
      async (...args) => void seen.push(args),
      [axios],
    );
    try {
      await client().signalEntity(new df.EntityId('stream', 'default/s 1'), 'merge', { events: 3 });
      expect(seen).toEqual([['stream', 'default/s 1', 'merge', '{"events":3}']]);
    } finally {
      uninstall();
    }
  });

  it('skips axios parsing the body of a signal it hands to the sink (the SDK built it with JSON.stringify), and no other request', async () => {
    const sinkBodies: string[] = [];
    const uninstall = routeSignalsInProcess(
      () => rpcBase,
      async (_name, _key, _op, body) => void sinkBodies.push(body),
      [axios],
    );
    const parse = jest.spyOn(JSON, 'parse');
    const input = { marker: 'in-process-signal-body' };
    const parsesOfBody = () => parse.mock.calls.filter(([text]) => String(text).includes(input.marker)).length;
    try {
      await client().signalEntity(new df.EntityId('stream', 'a'), 'merge', input);
      expect(sinkBodies).toEqual([JSON.stringify(input)]);
      expect(parsesOfBody()).toBe(0);
      // Any other request with a JSON string body still goes through axios's transform, which parses it.
      await expect(client().raiseEvent('some-instance', 'e', input)).rejects.toThrow(/ECONNREFUSED|connect/);
      expect(parsesOfBody()).toBe(1);
    } finally {
      parse.mockRestore();
      uninstall();
    }
    expect(axios.defaults.transformRequest).not.toBeUndefined();
    expect([axios.defaults.transformRequest].flat().map((f) => f?.name)).not.toContain('skipForInProcessSignals');
  });

  it('turns a rejected signal into the status the HTTP route would give, which the SDK reports', async () => {
    const uninstall = routeSignalsInProcess(
      () => rpcBase,
      async () => {
        throw requestError('Expected the operation input to be JSON but found: {');
      },
      [axios],
    );
    try {
      await expect(client().signalEntity(new df.EntityId('stream', 'a'), 'merge', 1)).rejects.toThrow(
        /400|operation input/,
      );
    } finally {
      uninstall();
    }
  });

  it('sends everything else over HTTP, and uninstalls cleanly', async () => {
    const uninstall = routeSignalsInProcess(
      () => rpcBase,
      async () => {},
      [axios],
    );
    await expect(client().getStatus('some-instance')).rejects.toThrow(/ECONNREFUSED|connect/);
    uninstall();
    await expect(client().signalEntity(new df.EntityId('stream', 'a'), 'merge', 1)).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
  });

  it('finds the axios copy next to a loaded durable-functions', () => {
    const file = require.resolve('durable-functions/lib/src/durableClient/DurableClient.js');
    const copies = axiosOfLoadedDurableFunctions([file, '/elsewhere/index.js']);
    expect(copies).toHaveLength(1);
    expect(typeof copies[0]?.getAdapter).toBe('function');
  });

  it('with a system key (--require-keys), presents it on the requests to the host and puts it in the webhook URLs', async () => {
    const headers: (string | string[] | undefined)[] = [];
    const server = createServer((req, res) => {
      headers.push(req.headers['x-functions-key']);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const uninstall = routeSignalsInProcess(
      () => `${at}/runtime/webhooks/durabletask/`,
      async () => {},
      [axios],
      'sys-key',
    );
    try {
      // 404: the SDK reports the instance as unknown, after a request that carried the key.
      await client(at, 'sys-key')
        .getStatus('some-instance')
        .catch(() => undefined);
      expect(headers).toEqual(['sys-key']);
      const links = client(at, 'sys-key').createHttpManagementPayload('abc');
      expect(new URL(links.statusQueryGetUri).searchParams.get('code')).toBe('sys-key');
      expect(new URL(links.terminatePostUri).searchParams.get('code')).toBe('sys-key');
      // Without a key nothing is added (keys not required).
      expect(new URL(client(at).createHttpManagementPayload('abc').statusQueryGetUri).searchParams.has('code')).toBe(
        false,
      );
    } finally {
      uninstall();
      server.close();
    }
  });
});
