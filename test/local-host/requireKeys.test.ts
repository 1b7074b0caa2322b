import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { functionKeySetting, masterKeySetting } from '../../local-host/keys/loadKeys';
import { fetchText, pollUntil } from '../support/fetchText';
import { fixtureApp, repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

describe('--require-keys', () => {
  describe('with keys from settings', () => {
    let host: HostProcess;
    const master = 'test-master-key';
    const fnKey = 'test-function-key';
    const url = (path: string): string => `${host.baseUrl}${path}`;

    beforeAll(async () => {
      host = await startHostProcess({
        app: fixtureApp('http-basic'),
        args: ['--require-keys'],
        env: { [masterKeySetting]: master, [functionKeySetting]: fnKey },
      });
    });

    afterAll(async () => {
      await host?.stop();
    });

    it('lets anonymous functions through without a key', async () => {
      expect((await fetchText(url('/api/hello'))).status).toBe(200);
    });

    it('requires a function or master key for function-level routes', async () => {
      const missing = await fetchText(url('/api/secret'));
      expect(missing.status).toBe(401);
      expect(missing.text).toContain('Missing key');
      expect((await fetchText(url('/api/secret'), { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
      expect(await fetchText(url('/api/secret'), { headers: { 'x-functions-key': fnKey } })).toMatchObject({
        status: 200,
        text: 'function-level secret',
      });
      expect((await fetchText(url(`/api/secret?code=${master}`))).status).toBe(200);
    });

    it('requires the master key for admin-level routes and the admin API', async () => {
      expect((await fetchText(url(`/api/adminOnly?code=${fnKey}`))).status).toBe(401);
      expect((await fetchText(url(`/api/adminOnly?code=${master}`))).text).toBe('admin-level secret');
      expect((await fetchText(url('/admin/functions/tick'), { method: 'POST', body: '{}' })).status).toBe(401);
      expect(
        (
          await fetchText(url('/admin/functions/tick'), {
            method: 'POST',
            body: '{}',
            headers: { 'x-functions-key': fnKey },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await fetchText(url('/admin/functions/tick'), {
            method: 'POST',
            body: '{}',
            headers: { 'x-functions-key': master },
          })
        ).status,
      ).toBe(202);
    });
  });

  it('generates a keys file under the data dir on first start and prints it', async () => {
    const host = await startHostProcess({ app: fixtureApp('http-basic'), args: ['--require-keys'] });
    try {
      const keys = JSON.parse(readFileSync(join(host.dataDir, 'keys.json'), 'utf8')) as {
        masterKey: string;
        functionKey: string;
      };
      expect(host.output()).toContain(`Generated host keys in ${join(host.dataDir, 'keys.json')}`);
      expect((await fetchText(`${host.baseUrl}/api/secret`)).status).toBe(401);
      expect((await fetchText(`${host.baseUrl}/api/secret?code=${encodeURIComponent(keys.functionKey)}`)).status).toBe(
        200,
      );
    } finally {
      await host.stop();
    }
  });

  describe('host routes: durable management API and the local event hub', () => {
    const master = 'test-master-key';
    const fnKey = 'test-function-key';
    const env = { [masterKeySetting]: master, [functionKeySetting]: fnKey };

    it("needs the system or master key on the durable API, while the app's own durable client keeps working", async () => {
      const host = await startHostProcess({
        app: join(repoRoot, 'test', 'fixtures', 'apps', 'durable-basic'),
        args: ['--require-keys', '--store', 'memory'],
        env,
      });
      try {
        const api = (path: string): string => `${host.baseUrl}/api/${path}`;
        // The app starts an orchestration through df.getClient (rpcBaseUrl): the host's client presents the system key.
        const started = await fetchText(api('start/Chaining'), { method: 'POST', body: JSON.stringify(['Tokyo']) });
        expect(started.status).toBe(202);
        const links = JSON.parse(started.text) as { id: string; statusQueryGetUri: string; terminatePostUri: string };
        // As on Azure, the management links carry the system key, so following them works...
        const system = new URL(links.statusQueryGetUri).searchParams.get('code');
        expect(system).toBeTruthy();
        expect(system).not.toBe(master);
        expect(system).not.toBe(fnKey);
        const done = await pollUntil(async () => {
          const s = JSON.parse((await fetchText(links.statusQueryGetUri)).text) as {
            runtimeStatus: string;
            output: unknown;
          };
          return s.runtimeStatus === 'Completed' ? s : undefined;
        });
        expect(done.output).toEqual(['Hello Tokyo!']);
        // ...the app's client reads status and entity state over HTTP, and signals in process.
        expect(JSON.parse((await fetchText(api(`status/${links.id}`))).text)).toMatchObject({
          runtimeStatus: 'Completed',
        });
        expect((await fetchText(api('entity/Counter/c1/add'), { method: 'POST', body: '2' })).status).toBe(202);
        await pollUntil(async () => {
          const s = JSON.parse((await fetchText(api('entity/Counter/c1'))).text) as { entityState: number | null };
          return s.entityState === 2 ? s : undefined;
        });
        // Callers without the system or master key are refused on every durable route, reads included.
        const webhooks = `${host.baseUrl}/runtime/webhooks/durabletask`;
        for (const [path, init] of [
          [`instances/${links.id}`, {}],
          ['instances', {}],
          ['orchestrators/Chaining', { method: 'POST', body: '[]' }],
          [`instances/${links.id}`, { method: 'DELETE' }],
          ['entities/Counter/c1?op=add', { method: 'POST', body: '5' }],
          ['entities/Counter/c1', {}],
        ] as const) {
          for (const key of [undefined, fnKey, 'wrong']) {
            const headers: Record<string, string> = key === undefined ? {} : { 'x-functions-key': key };
            const res = await fetchText(`${webhooks}/${path}`, { ...init, headers });
            expect({ path, key, status: res.status }).toEqual({ path, key, status: 401 });
            expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(res.text).toContain('requires the durable system key or the master key');
          }
        }
        expect(
          (await fetchText(`${webhooks}/instances/${links.id}`, { headers: { 'x-functions-key': master } })).status,
        ).toBe(200);
        expect((await fetchText(`${webhooks}/instances/${links.id}?code=${encodeURIComponent(system!)}`)).status).toBe(
          200,
        );
        // The refused signal changed nothing.
        expect(JSON.parse((await fetchText(api('entity/Counter/c1'))).text)).toMatchObject({ entityState: 2 });
      } finally {
        expect(await host.stop()).toBe(0);
      }
    });

    it('needs a function key to read the local event hub and the master key to produce to it', async () => {
      const host = await startHostProcess({
        app: join(repoRoot, 'test', 'fixtures', 'apps', 'eventhub-basic'),
        args: ['--require-keys', '--store', 'memory'],
        env,
      });
      try {
        const hub = `${host.baseUrl}/runtime/eventhubs/events`;
        const post = (key?: string): Promise<{ status: number; text: string }> =>
          fetchText(`${hub}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
            body: '[{"n":1}]',
          });
        expect((await fetchText(hub)).status).toBe(401);
        expect((await fetchText(`${host.baseUrl}/runtime/eventhubs`)).status).toBe(401);
        expect((await fetchText(hub, { headers: { 'x-functions-key': fnKey } })).status).toBe(200);
        expect((await post()).status).toBe(401);
        const withFunctionKey = await post(fnKey);
        expect(withFunctionKey.status).toBe(401);
        expect(withFunctionKey.text).toContain('requires the master key');
        expect(await post(master)).toMatchObject({ status: 200, text: expect.stringContaining('"accepted": 1') });
        const state = JSON.parse((await fetchText(`${hub}?code=${master}`)).text) as { events: number };
        expect(state.events).toBe(1);
      } finally {
        expect(await host.stop()).toBe(0);
      }
    });
  });
});
