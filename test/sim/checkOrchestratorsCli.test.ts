/** `npm run sim -- check-orchestrators` on a local host durable store (SQLite) that a fixture app's run left behind. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SqliteStore } from '../../local-host/durable/store/sqliteStore';
import { startSimHost } from '../../tools/sim/appHost';
import { repoRoot } from '../support/repoRoot';

const simCli = join(repoRoot, 'dist', 'tools', 'sim', 'cli.js');
const fixture = join(repoRoot, 'test', 'fixtures', 'apps', 'durable-nondeterministic');

describe('npm run sim -- check-orchestrators', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays the histories a durable store recorded and exits 1 naming the non-deterministic orchestrator and its lines', async () => {
    const file = join(dir, 'durable.sqlite');
    const store = new SqliteStore(file);
    const host = await startSimHost({ appDir: fixture, settings: {}, store, now: Date.now });
    host.runtime.startOrchestration('stampAndRoll', 'bad-1', null);
    host.runtime.startOrchestration('wellBehaved', 'good-1', null);
    for (let i = 0; i < 1000 && store.queryInstances({ runtimeStatus: ['Completed'] }).length < 2; i++)
      await new Promise((r) => setImmediate(r));
    await host.stop();
    host.unroute();
    store.close();

    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        [simCli, 'check-orchestrators', '--app', fixture, '--durable-store', file, '--json'],
        { cwd: repoRoot },
        (error, out) => resolve({ code: error ? Number(error.code) : 0, stdout: out }),
      ),
    );
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as {
      ok: boolean;
      checked: number;
      checks: { instanceId: string; ok: boolean; calls: { what: string; site: string }[] }[];
    };
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(2);
    const source = join(
      'test',
      'fixtures',
      'apps',
      'durable-nondeterministic',
      'src',
      'functions',
      'orchestrations.js',
    );
    const bad = result.checks.find((c) => c.instanceId === 'bad-1');
    expect(bad?.ok).toBe(false);
    expect(bad?.calls.map((c) => `${c.what} ${c.site.replace(/:\d+$/, '')}`)).toEqual([
      `Date.now() ${source}:7`,
      `Math.random() ${source}:8`,
    ]);
    expect(result.checks.find((c) => c.instanceId === 'good-1')?.ok).toBe(true);
  });
});
