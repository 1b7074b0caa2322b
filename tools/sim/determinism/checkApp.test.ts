import { join } from 'node:path';

import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { repoRoot } from '../../../test/support/repoRoot';
import { type SimHostProcess, startSimHost } from '../appHost';
import { checkRecordedOrchestrations } from './checkApp';
import { describeCheck } from './replayCheck';

const fixture = join(repoRoot, 'test', 'fixtures', 'apps', 'durable-nondeterministic');

describe('the orchestrator non-determinism check on a fixture app', () => {
  let host: SimHostProcess | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it('reports the orchestrator that reads Date.now() and Math.random() with its source lines, and passes the one that does not', async () => {
    const store = new MemoryStore();
    host = await startSimHost({ appDir: fixture, settings: {}, store, now: Date.now });
    host.runtime.startOrchestration('stampAndRoll', 'bad-1', null);
    host.runtime.startOrchestration('wellBehaved', 'good-1', null);
    for (let i = 0; i < 500 && store.queryInstances({ runtimeStatus: ['Completed', 'Failed'] }).length < 2; i++)
      await new Promise((r) => setImmediate(r));
    expect(
      store
        .queryInstances({})
        .map((s) => [s.instanceId, s.status])
        .sort(),
    ).toEqual([
      ['bad-1', 'Completed'],
      ['good-1', 'Completed'],
    ]);

    const checks = await checkRecordedOrchestrations(host, store);
    const bad = checks.find((c) => c.instanceId === 'bad-1');
    const good = checks.find((c) => c.instanceId === 'good-1');
    expect(good).toEqual({ instanceId: 'good-1', name: 'wellBehaved', ok: true, calls: [] });
    expect(bad?.ok).toBe(false);
    expect(bad?.divergence).toMatchObject({ against: 'history', index: 0 });
    expect(bad?.divergence?.expected).toMatch(/^CallActivity\(echo, \{"stamp":\d+,"roll":0\.\d+\}\)$/);
    const file = join('test', 'fixtures', 'apps', 'durable-nondeterministic', 'src', 'functions', 'orchestrations.js');
    expect(bad?.calls.map((c) => `${c.what} ${c.site?.replace(/:\d+$/, '')}`)).toEqual([
      `Date.now() ${file}:7`,
      `Math.random() ${file}:8`,
    ]);
    expect(describeCheck(bad!)).toContain(`Date.now() at ${file}:7:`);
  });
});
