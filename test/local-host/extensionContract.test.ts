import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromRpcTypedData } from '../../local-host/converters/fromRpcTypedData';
import { toRpcTypedData } from '../../local-host/converters/toRpcTypedData';
import type {
  BindingInfo,
  HostContext,
  HostExtension,
  HostFunction,
  HostLogger,
  RpcTypedData,
} from '../../local-host/extension';
import { type RunningHost, startHost } from '../../local-host/host';
import { fetchText, pollUntil } from '../support/fetchText';
import { fixtureApp } from '../support/repoRoot';

/** A host extension owning the fixture's made-up binding types, recording what the host does with it. */
class FakeExtension implements HostExtension {
  readonly name = 'fake';
  readonly bindingTypes = ['fakeTrigger', 'fakeInput', 'fakeOutput'];
  readonly events: string[] = [];
  readonly outputs: { fn: string; binding: string; value: unknown }[] = [];
  readonly results: unknown[] = [];
  readonly failures: string[] = [];
  ctx?: HostContext;
  baseUrlInInit?: string;

  async init(ctx: HostContext): Promise<void> {
    this.ctx = ctx;
    this.events.push(`init:${ctx.functions.map((f) => f.name).join(',')}`);
    try {
      this.baseUrlInInit = ctx.baseUrl();
    } catch {
      this.baseUrlInInit = 'unavailable';
    }
    ctx.route('/runtime/fake/', async (_req, res, url) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`fake route ${url.pathname}`);
    });
  }

  async start(): Promise<void> {
    this.events.push(`start:${this.ctx!.baseUrl()}`);
  }

  async stop(): Promise<void> {
    this.events.push('stop');
  }

  inputData(_fn: HostFunction, binding: BindingInfo): RpcTypedData {
    return toRpcTypedData({ factor: 3, setting: binding.setting });
  }

  async handleOutput(fn: HostFunction, binding: BindingInfo, data: RpcTypedData): Promise<void> {
    this.outputs.push({ fn: fn.name, binding: binding.name, value: fromRpcTypedData(data) });
  }

  async invokeByAdmin(fn: HostFunction, input: unknown): Promise<void> {
    try {
      const result = await this.ctx!.invoke({ functionName: fn.name, triggerData: toRpcTypedData(input) });
      this.results.push({ outputsSoFar: this.outputs.length, returnValue: fromRpcTypedData(result.returnValue) });
    } catch (err) {
      this.failures.push((err as Error).message);
    }
  }
}

describe('host extension contract (in-process startHost)', () => {
  const lines: string[] = [];
  const logger: HostLogger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  const ext = new FakeExtension();
  let host: RunningHost;

  beforeAll(async () => {
    process.env.FAKE_SETTING = 'resolved-value';
    host = await startHost({
      appDir: fixtureApp('http-basic/extension-app'),
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'lh-ext-')),
      extensions: [ext],
      logger,
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('initialises with the functions before listening and starts after', () => {
    expect(ext.events[0]).toBe('init:fakeTriggered,usesInput,failing');
    expect(ext.baseUrlInInit).toBe('unavailable');
    expect(ext.events[1]).toBe(`start:${host.baseUrl}`);
    expect(host.baseUrl).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('applies local.settings.json values the process does not already have', () => {
    expect(process.env.EXTENSION_APP_SETTING).toBe('from local.settings.json');
    expect(process.env.FAKE_SETTING).toBe('resolved-value');
  });

  it('serves extension routes', async () => {
    expect(await fetchText(`${host.baseUrl}/runtime/fake/abc`)).toMatchObject({
      status: 200,
      text: 'fake route /runtime/fake/abc',
    });
  });

  it('fills non-trigger inputs from inputData with %SETTING% resolved', async () => {
    const res = await fetchText(`${host.baseUrl}/api/usesInput`);
    expect(JSON.parse(res.text)).toEqual({ factor: 3, setting: 'resolved-value' });
  });

  it('dispatches admin invocations and delivers outputs before invoke resolves', async () => {
    const res = await fetchText(`${host.baseUrl}/admin/functions/fakeTriggered`, {
      method: 'POST',
      body: JSON.stringify({ input: { n: 5 } }),
    });
    expect(res.status).toBe(202);
    await pollUntil(async () => (ext.results.length > 0 ? true : undefined));
    expect(ext.outputs).toEqual([
      { fn: 'fakeTriggered', binding: 'sink', value: { doubled: 10, factor: 3, functionName: 'fakeTriggered' } },
    ]);
    expect(ext.results[0]).toEqual({ outputsSoFar: 1, returnValue: 15 });
    expect(lines).toContain('info [fakeTriggered] doubled 5 (seen by log hook)');
  });

  it('rejects invoke with the function error and logs the failure', async () => {
    await expect(host.ctx.invoke({ functionName: 'failing', triggerData: toRpcTypedData({}) })).rejects.toThrow(
      'fake failure',
    );
    expect(lines.some((l) => /^error Executed 'Functions\.failing' \(Failed, Id=.*\): fake failure$/.test(l))).toBe(
      true,
    );
  });

  it('rejects invoke of an unknown function as a 404 user error', async () => {
    await expect(host.ctx.invoke({ functionName: 'missing', triggerData: {} })).rejects.toMatchObject({ status: 404 });
  });

  it('stops extensions when the host stops', async () => {
    await host.stop();
    expect(ext.events).toContain('stop');
    await expect(fetch(`${host.baseUrl}/runtime/fake/x`)).rejects.toThrow();
  });

  it('puts local.settings.json values in process.env only while it runs, leaving values the process had', () => {
    // After the previous test stopped the host: a later host in this process must not inherit the app's settings.
    expect(process.env.EXTENSION_APP_SETTING).toBeUndefined();
    expect(process.env.FAKE_SETTING).toBe('resolved-value');
  });
});
