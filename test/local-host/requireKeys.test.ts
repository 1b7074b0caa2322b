import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { functionKeySetting, masterKeySetting } from '../../local-host/keys/loadKeys';
import { fetchText } from '../support/fetchText';
import { fixtureApp } from '../support/repoRoot';
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
      expect(await fetchText(url('/api/secret'), { headers: { 'x-functions-key': fnKey } })).toMatchObject({ status: 200, text: 'function-level secret' });
      expect((await fetchText(url(`/api/secret?code=${master}`))).status).toBe(200);
    });

    it('requires the master key for admin-level routes and the admin API', async () => {
      expect((await fetchText(url(`/api/adminOnly?code=${fnKey}`))).status).toBe(401);
      expect((await fetchText(url(`/api/adminOnly?code=${master}`))).text).toBe('admin-level secret');
      expect((await fetchText(url('/admin/functions/tick'), { method: 'POST', body: '{}' })).status).toBe(401);
      expect((await fetchText(url('/admin/functions/tick'), { method: 'POST', body: '{}', headers: { 'x-functions-key': fnKey } })).status).toBe(401);
      expect((await fetchText(url('/admin/functions/tick'), { method: 'POST', body: '{}', headers: { 'x-functions-key': master } })).status).toBe(202);
    });
  });

  it('generates a keys file under the data dir on first start and prints it', async () => {
    const host = await startHostProcess({ app: fixtureApp('http-basic'), args: ['--require-keys'] });
    try {
      const keys = JSON.parse(readFileSync(join(host.dataDir, 'keys.json'), 'utf8')) as { masterKey: string; functionKey: string };
      expect(host.output()).toContain(`Generated host keys in ${join(host.dataDir, 'keys.json')}`);
      expect((await fetchText(`${host.baseUrl}/api/secret`)).status).toBe(401);
      expect((await fetchText(`${host.baseUrl}/api/secret?code=${encodeURIComponent(keys.functionKey)}`)).status).toBe(200);
    } finally {
      await host.stop();
    }
  });
});
