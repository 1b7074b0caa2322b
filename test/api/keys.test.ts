import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { functionKeySetting, masterKeySetting } from '../../local-host/keys/loadKeys';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

/**
 * The Streamfold app on the local host with --require-keys: a function key reads, only the master key writes
 * (authLevel 'admin'), and POST /api/analyses hands out no key and no durable-extension URL. Needs `npm run build`.
 */
const master = 'keys-test-master';
const fnKey = 'keys-test-function';
let azurite: RunningAzurite;
let host: HostProcess;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true, ports: 0 });
  host = await startHostProcess({
    app: repoRoot,
    args: ['--store', 'memory', '--no-azurite', '--require-keys'],
    env: { AzureWebJobsStorage: azurite.connectionString, [masterKeySetting]: master, [functionKeySetting]: fnKey },
    timeoutMs: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

async function send(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; text: string; location: string | null }> {
  const headers: Record<string, string> = {
    ...(key ? { 'x-functions-key': key } : {}),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  const res = await fetch(`${host.baseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

const definition = { measures: { value: 'value' }, window: { type: 'tumbling', size: 'PT1M' } };

describe('keys on the local host (--require-keys)', () => {
  it('serves health without a key', async () => {
    expect((await send('GET', '/api/health', undefined)).status).toBe(200);
  });

  it('serves the OpenAPI document without a key, listing the routes', async () => {
    const res = await send('GET', '/api/openapi.json', undefined);
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.text) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/openapi.json', '/api/pipelines/{name}', '/api/analyses']),
    );
  });

  it('lets a function key read but not write pipelines; the master key writes', async () => {
    expect((await send('GET', '/api/pipelines', undefined)).status).toBe(401);
    expect((await send('GET', '/api/pipelines', fnKey)).status).toBe(200);
    const refused = await send('PUT', '/api/pipelines/keyed', fnKey, definition);
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('the master key');
    expect((await send('PUT', '/api/pipelines/keyed', undefined, definition)).status).toBe(401);
    expect((await send('GET', '/api/pipelines/keyed', fnKey)).status).toBe(404);
    expect((await send('PUT', '/api/pipelines/keyed', master, definition)).status).toBe(201);
    expect((await send('GET', '/api/pipelines/keyed', fnKey)).status).toBe(200);
    expect((await send('DELETE', '/api/pipelines/keyed', fnKey)).status).toBe(401);
    expect((await send('GET', '/api/pipelines/keyed', fnKey)).status).toBe(200);
    expect((await send('DELETE', '/api/pipelines/keyed', master)).status).toBe(204);
    expect((await send('GET', '/api/pipelines/keyed', fnKey)).status).toBe(404);
  });

  it('starts analyses with the master key only, answering with its own status route and no key', async () => {
    const job = {
      pipeline: 'default',
      from: '2025-01-01T00:00:00Z',
      to: '2025-01-01T01:00:00Z',
      analyses: ['summary'],
    };
    expect((await send('POST', '/api/analyses', fnKey, job)).status).toBe(401);
    const started = await send('POST', '/api/analyses', master, job);
    expect(started.status).toBe(202);
    expect(started.text).not.toMatch(
      /code=|systemKey|runtime\/webhooks|taskHub|\b(?:keys-test-master|keys-test-function)\b/,
    );
    const body = JSON.parse(started.text) as { id: string; statusQueryGetUri: string };
    expect(body.statusQueryGetUri).toBe(`${host.baseUrl}/api/analyses/${encodeURIComponent(body.id)}`);
    expect(started.location).toBe(body.statusQueryGetUri);
    // The status route is a read: a function key follows it, no key does not.
    const path = new URL(body.statusQueryGetUri).pathname;
    expect((await send('GET', path, undefined)).status).toBe(401);
    const status = await send('GET', path, fnKey);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.text)).toMatchObject({ id: body.id });
  });
});
