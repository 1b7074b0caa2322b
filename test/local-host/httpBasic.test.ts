import { fetchText } from '../support/fetchText';
import { fixtureApp } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

describe('local host running the http-basic fixture', () => {
  let host: HostProcess;
  const url = (path: string): string => `${host.baseUrl}${path}`;

  beforeAll(async () => {
    host = await startHostProcess({ app: fixtureApp('http-basic') });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('prints the function list with URLs', async () => {
    const out = await host.waitForOutput(/ticks: \[GET\]/);
    expect(out).toContain(`hello: [GET,POST] ${host.baseUrl}/api/hello`);
    expect(out).toContain('tick: timerTrigger');
  });

  it('serves the default route (function name) with query and body input', async () => {
    expect(await fetchText(url('/api/hello?name=Ada'))).toMatchObject({ status: 200, text: 'Hello, Ada!' });
    expect(await fetchText(url('/api/hello'), { method: 'POST', body: 'Grace' })).toMatchObject({
      status: 200,
      text: 'Hello, Grace!',
    });
  });

  it('logs each invocation with name, id, outcome and the app log', async () => {
    await fetchText(url('/api/hello?name=Logger'));
    const out = await host.waitForOutput(/Executed 'Functions\.hello' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)/);
    expect(out).toContain('[hello] Greeting Logger');
  });

  it('matches route constraints and prefers the right function', async () => {
    expect(JSON.parse((await fetchText(url('/api/items/42'))).text)).toEqual({ id: 42, matched: 'int' });
    expect(JSON.parse((await fetchText(url('/api/items/abc'))).text)).toEqual({ name: 'abc', matched: 'alpha' });
    expect((await fetchText(url('/api/items/a1'))).status).toBe(404);
    expect(JSON.parse((await fetchText(url('/api/codes/ABC/12'))).text)).toEqual({ code: 'ABC', n: 12 });
    expect((await fetchText(url('/api/codes/ABCD/12'))).status).toBe(404);
    expect((await fetchText(url('/api/codes/ABC/9'))).status).toBe(404);
  });

  it('supports catch-all and optional parameters', async () => {
    expect((await fetchText(url('/api/files/a/b/c.txt'))).text).toBe('path=a/b/c.txt');
    expect((await fetchText(url('/api/files'))).text).toBe('path=');
    expect(JSON.parse((await fetchText(url('/api/opt'))).text)).toEqual({ x: null });
    expect(JSON.parse((await fetchText(url('/api/opt/7'))).text)).toEqual({ x: '7' });
  });

  it('returns custom status, headers, cookies and JSON bodies', async () => {
    const res = await fetchText(url('/api/items'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'widget' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/items/1');
    expect(res.headers.get('x-item-name')).toBe('widget');
    expect(res.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(JSON.parse(res.text)).toEqual({ created: { name: 'widget' }, contentType: 'application/json' });
    expect(await fetchText(url('/api/teapot'))).toMatchObject({ status: 418, text: "I'm a teapot" });
  });

  it('passes binary bodies and request headers through unchanged', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
    const res = await fetch(url('/api/echo'), {
      method: 'PUT',
      headers: { 'content-type': 'application/x-test' },
      body: bytes,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-test');
    expect(res.headers.get('x-method')).toBe('PUT');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('passes repeated query values', async () => {
    expect(JSON.parse((await fetchText(url('/api/query?tag=a&tag=b&q=x%20y'))).text)).toEqual({
      tags: ['a,b'],
      q: 'x y',
    });
  });

  it('answers 405 with the allowed methods and 404 for unknown routes', async () => {
    const notAllowed = await fetchText(url('/api/hello'), { method: 'DELETE' });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.get('allow')).toBe('GET, POST');
    expect(JSON.parse(notAllowed.text)).toMatchObject({
      status: 405,
      field: 'method',
      detail: expect.stringContaining('Method DELETE is not allowed'),
    });
    const missing = await fetchText(url('/api/nothing-here'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(missing.text)).toMatchObject({
      status: 404,
      detail: 'No function or host route matches GET /api/nothing-here.',
    });
  });

  it('answers 500 when the function throws and logs the failure', async () => {
    const res = await fetchText(url('/api/boom'));
    expect(res.status).toBe(500);
    expect(res.text).toContain('kaboom');
    await host.waitForOutput(/Executed 'Functions\.boom' \(Failed, Id=[0-9a-f-]+, Duration=\d+ms\): kaboom/);
  });

  it('resolves %SETTING% route expressions from local.settings.json', async () => {
    expect(JSON.parse((await fetchText(url('/api/from-settings/greeting'))).text)).toEqual({
      greeting: 'Hello from settings',
    });
  });

  it('runs appStart, preInvocation and postInvocation hooks', async () => {
    const res = await fetchText(url('/api/hooks'));
    const body = JSON.parse(res.text) as { appStarted: boolean; preInvocations: number };
    expect(body.appStarted).toBe(true);
    expect(body.preInvocations).toBeGreaterThan(0);
    expect(res.headers.get('x-post-invocation')).toBe('yes');
  });

  it('ignores authLevel without --require-keys, like func start', async () => {
    expect(await fetchText(url('/api/secret'))).toMatchObject({ status: 200, text: 'function-level secret' });
  });
});
