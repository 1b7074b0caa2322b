/** A real host process: no request can crash it, and hostile or oversized requests get problem+json answers. */
import { request } from 'node:http';

import { fixtureApp } from '../support/repoRoot';
import { type HostProcess, runHostExpectingFailure, startHostProcess } from '../support/startHostProcess';

interface Raw {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** node:http lets a test send any Host header and request target, which fetch does not. */
function raw(baseUrl: string, path: string, headers: Record<string, string>): Promise<Raw> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: headers.Host === undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const problem = (r: Raw): { status: number; detail: string; field?: string } => {
  expect(r.contentType).toMatch(/^application\/problem\+json/);
  return JSON.parse(r.body) as { status: number; detail: string; field?: string };
};

describe('a hostile or malformed request never takes the host down', () => {
  let host: HostProcess;
  beforeAll(async () => {
    host = await startHostProcess({ app: fixtureApp('http-basic'), args: ['--allowed-host', 'devbox'] });
  });
  afterAll(async () => {
    // Exit code 0 proves the host was still up and stopped cleanly after every request below.
    expect(await host?.stop()).toBe(0);
  });
  const alive = async (): Promise<void> => {
    expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(200);
  };

  it('answers a malformed Host header with 400 problem+json and keeps serving', async () => {
    for (const value of ['a b', 'x/y', 'localhost:99999']) {
      const r = await raw(host.baseUrl, '/api/streams', { Host: value });
      expect(r.status).toBe(400);
      expect(problem(r)).toMatchObject({
        status: 400,
        field: 'Host',
        detail: expect.stringContaining(JSON.stringify(value)),
      });
    }
    await alive();
  });

  it('refuses names other than loopback and the allowed ones with 421 (DNS rebinding)', async () => {
    const r = await raw(host.baseUrl, '/api/hello', { Host: 'evil.example:7071' });
    expect(r.status).toBe(421);
    expect(problem(r).detail).toMatch(/DNS-rebinding protection.*"evil\.example:7071".*--allowed-host/);
    for (const value of ['127.0.0.9:1', '[::1]:7071', 'devbox:7071']) {
      expect((await raw(host.baseUrl, '/api/hello', { Host: value })).status).toBe(200);
    }
    // Host routes are behind the same check.
    expect((await raw(host.baseUrl, '/admin/host/status', { Host: 'evil.example' })).status).toBe(421);
  });

  it('refuses an absolute-form request target (the caller must not pick the URL host)', async () => {
    const r = await raw(host.baseUrl, 'http://evil.example/api/hello', { Host: 'localhost' });
    expect(r.status).toBe(400);
    expect(problem(r)).toMatchObject({
      field: 'request-target',
      detail: expect.stringContaining('http://evil.example/api/hello'),
    });
    await alive();
  });

  it('answers a 133 KB query token with 414 and a 133 KB header with 431, as problem+json, instead of a reset', async () => {
    const token = 'a'.repeat(133_000);
    const long = await fetch(`${host.baseUrl}/api/hello?continuationToken=${token}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await long.json()) as { detail: string }).detail).toMatch(
      /request URL is longer than the \d+ bytes allowed/,
    );
    const header = await fetch(`${host.baseUrl}/api/hello`, { headers: { 'x-token': token } });
    expect(header.status).toBe(431);
    expect(((await header.json()) as { detail: string }).detail).toMatch(
      /request line and headers are longer than \d+ bytes\./,
    );
    await alive();
  });
});

describe('start-up checks', () => {
  it('refuses an empty LOCAL_HOST_MASTER_KEY with --require-keys, naming the setting', async () => {
    const { code, output } = await runHostExpectingFailure({
      app: fixtureApp('http-basic'),
      args: ['--require-keys'],
      env: { LOCAL_HOST_MASTER_KEY: '' },
    });
    expect(code).toBe(1);
    expect(output).toContain('Setting LOCAL_HOST_MASTER_KEY is empty');
    expect(output).not.toContain('Local host listening');
  });

  it('refuses a malformed allowed host', async () => {
    const { code, output } = await runHostExpectingFailure({
      app: fixtureApp('http-basic'),
      env: { LOCAL_HOST_ALLOWED_HOSTS: 'ok,http://bad' },
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /Allowed hosts \(--allowed-host, LOCAL_HOST_ALLOWED_HOSTS\): expected an allowed host .*"http:\/\/bad"/,
    );
  });
});
