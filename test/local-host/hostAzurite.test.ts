import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '../support/fetchText';
import { fixtureApp } from '../support/repoRoot';
import { startHostProcess } from '../support/startHostProcess';

// The emulator's well-known ports: this is the one test that needs them, because that is what
// "UseDevelopmentStorage=true" means.
const blobUrl = 'http://127.0.0.1:10000/devstoreaccount1?comp=list';
const tableUrl = 'http://127.0.0.1:10002/devstoreaccount1/Tables';

describe('embedded Azurite', () => {
  it('starts with the host when AzureWebJobsStorage is UseDevelopmentStorage=true and stops with it', async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      expect(host.output()).toContain(
        'Starting Azurite (blob 10000, queue 10001) and the embedded table store (table 10002) for AzureWebJobsStorage.',
      );
      expect(host.output()).toMatch(
        /Table storage: the embedded table store at http:\/\/127\.0\.0\.1:10002\/devstoreaccount1 \(SQLite .*tables\.sqlite\)\./,
      );
      const res = await fetch(blobUrl);
      // Azurite answers unsigned requests with a storage error that carries a request id.
      expect(res.headers.get('x-ms-request-id')).toBeTruthy();
      // The table port is the embedded store's: it refuses a request without credentials in the service's error shape.
      const tables = await fetch(tableUrl);
      expect(tables.status).toBe(403);
      expect(tables.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
    } finally {
      expect(await host.stop()).toBe(0);
    }
    await expect(fetch(blobUrl)).rejects.toThrow();
    await expect(fetch(tableUrl)).rejects.toThrow();
  });

  it("serves tables from Azurite's own table service with --tables azurite", async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      args: ['--tables', 'azurite'],
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      expect(host.output()).toContain(
        'Starting Azurite (blob 10000, queue 10001, table 10002) for AzureWebJobsStorage.',
      );
      expect(host.output()).toContain('Table storage: Azurite at http://127.0.0.1:10002/devstoreaccount1.');
      const tables = await fetch(tableUrl);
      // Azurite's error for an unsigned request, not the embedded store's.
      expect(tables.headers.get('x-ms-error-code')).not.toBe('AuthenticationFailed');
      expect(tables.headers.get('server') ?? '').toMatch(/Azurite/);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });

  it('is skipped with --no-azurite', async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      args: ['--no-azurite'],
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      expect(host.output()).not.toContain('Starting Azurite');
      expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(200);
    } finally {
      await host.stop();
    }
  });
});

/** The embedded Azurite child of a host process (its pid), found by parent pid. */
function azuriteChildOf(hostPid: number): number {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(hostPid)], { encoding: 'utf8' }).split('\n');
  const line = lines.find((l) => l.includes('azurite'));
  if (!line) throw new Error(`Expected an Azurite child of process ${hostPid}, found: ${lines.join(' | ')}`);
  return Number(line.trim().split(/\s+/)[0]);
}

describe('embedded Azurite supervision', () => {
  it('stops the host loudly, exit code 1, when Azurite dies under it', async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      const exited = new Promise<number | null>((resolve) => host.child.once('exit', (code) => resolve(code)));
      process.kill(azuriteChildOf(host.child.pid!), 'SIGKILL');
      // The host exits by itself, non-zero.
      expect(await exited).toBe(1);
      await host.stop();
      expect(host.output()).toMatch(
        /Embedded Azurite exited unexpectedly \(signal SIGKILL\)\..*The host stops: the app's storage is gone\./s,
      );
    } finally {
      await host.kill();
    }
  });

  it('takes Azurite down with the host even when the host is killed (SIGKILL)', async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    const azurite = azuriteChildOf(host.child.pid!);
    await host.kill();
    // Azurite notices its stdin closing and shuts down: its process goes away.
    await pollUntil(async () => (isRunning(azurite) ? undefined : true), 20_000);
    await expect(fetch(blobUrl)).rejects.toThrow();
  });
});

describe('an uncaught error in the host process', () => {
  it('stops the host and its Azurite, then exits 1 naming the error', async () => {
    // A stray throw from app code, on demand: preloaded into the host process only (not into Azurite, which is a
    // child with the same environment).
    const preload = join(mkdtempSync(join(tmpdir(), 'lh-preload-')), 'strayThrow.js');
    writeFileSync(
      preload,
      "if (process.argv[1] && process.argv[1].endsWith('cli.js')) process.on('SIGUSR2', () => setImmediate(() => { throw new Error('stray app error'); }));\n",
    );
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', NODE_OPTIONS: `--require ${preload}` },
    });
    const azurite = azuriteChildOf(host.child.pid!);
    const exited = new Promise<number | null>((resolve) => host.child.once('exit', (code) => resolve(code)));
    host.child.kill('SIGUSR2');
    expect(await exited).toBe(1);
    await host.stop();
    expect(host.output()).toMatch(/Local host: uncaught error: Error: stray app error[\s\S]*Stopping the host\./);
    // Stopped by the host (not only by the stdin watch): gone by the time the host exited.
    expect(isRunning(azurite)).toBe(false);
    await expect(fetch(blobUrl)).rejects.toThrow();
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
