/**
 * `npm run local --demo` as a real process (dist/tools/local/cli.js, after `npm run build`): the local host on this
 * repository with its own Azurite on free ports (--azurite-ports auto, so it never collides with other tests), the
 * in-process demo generator, and a clean Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';

const cli = join(repoRoot, 'dist', 'tools', 'local', 'cli.js');

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm run local --demo', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the demo streams on /api/streams within seconds and stops everything on SIGINT', async () => {
    expect(existsSync(cli)).toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'local-cli-'));
    // AzureWebJobsStorage unset: local.settings.json's UseDevelopmentStorage=true applies, moved to free ports.
    const env = { ...process.env };
    delete env['AzureWebJobsStorage'];
    delete env['EventHubConnection'];
    child = spawn(
      process.execPath,
      [
        cli,
        '--demo',
        '--port',
        '0',
        '--azurite-ports',
        'auto',
        '--data-dir',
        dataDir,
        '--demo-streams',
        '5',
        '--demo-rate',
        '200',
      ],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const baseUrl = await pollUntil(async () => {
      if (child!.exitCode !== null) throw new Error(`npm run local exited with ${child!.exitCode}:\n${output}`);
      // The banner comes after the listening line, maybe in a later chunk: wait for its last line too.
      if (!/npm run send -- --url \S+/.test(output)) return undefined;
      return /Local host listening on (\S+)/.exec(output)?.[1];
    }, 60_000);
    expect(output).toContain(`API base        ${baseUrl}/api`);
    expect(output).toContain(`POST ${baseUrl}/runtime/eventhubs/events/events`);
    const blobPort = Number(/Azurite\s+blob http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(blobPort).not.toBe(10000);
    expect(await portOpen(blobPort)).toBe(true);

    // The demo's five streams appear in the catalog, and each has live state with events counted.
    const names = await pollUntil(
      async () => {
        const res = await fetch(`${baseUrl}/api/streams?pipeline=default`);
        const page = (await res.json()) as { items?: { stream: string }[] };
        const found = (page.items ?? []).map((i) => i.stream).sort();
        return found.length >= 5 ? found : undefined;
      },
      60_000,
      200,
    );
    expect(names).toEqual(['s-001', 's-002', 's-003', 's-004', 's-005']);
    for (const stream of names) {
      const view = (await (await fetch(`${baseUrl}/api/streams/default/${stream}`)).json()) as {
        totals: { value: { count: number } };
      };
      expect(view.totals.value.count).toBeGreaterThan(0);
    }

    // The app's tables are served by the embedded store, and its rows are in the SQLite file under the data dir.
    const tablePort = Number(
      /Tables\s+http:\/\/127\.0\.0\.1:(\d+)\/devstoreaccount1\s+\(embedded SQLite store\)/.exec(output)?.[1],
    );
    expect(tablePort).toBeGreaterThan(0);
    expect(output).toMatch(
      /Storage: Azurite \(blob \d+, queue \d+\) and the embedded table store \(table \d+, SQLite .*tables\.sqlite\)/,
    );
    const db = new Database(join(dataDir, 'tables', 'tables.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT rk FROM entities WHERE tbl = 'streams' ORDER BY rk").all() as { rk: string }[];
      expect(rows.map((r) => r.rk).filter((rk) => /^s-00[1-5]$/.test(rk))).toEqual(names);
    } finally {
      db.close();
    }

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT received, stopping Streamfold');
    // Its Azurite and table store went with it.
    expect(await portOpen(blobPort)).toBe(false);
    expect(await portOpen(tablePort)).toBe(false);
  });

  it('stops loudly with exit code 1 when its Azurite dies under it (instead of consuming on without storage)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-cli-'));
    const env = { ...process.env };
    delete env['AzureWebJobsStorage'];
    delete env['EventHubConnection'];
    const proc = spawn(process.execPath, [cli, '--port', '0', '--azurite-ports', 'auto', '--data-dir', dir], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      proc.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
      proc.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      await pollUntil(async () => {
        if (proc.exitCode !== null) throw new Error(`npm run local exited with ${proc.exitCode}:\n${output}`);
        return /Press Ctrl-C to stop/.test(output) ? true : undefined;
      }, 60_000);
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(proc.pid)], { encoding: 'utf8' }).split(
        '\n',
      );
      const azurite = children.find((line) => line.includes('azurite'));
      expect(azurite).toBeDefined();
      process.kill(Number(azurite!.trim().split(/\s+/)[0]), 'SIGKILL');
      expect(await exited).toBe(1);
      expect(output).toMatch(
        /Embedded Azurite exited unexpectedly \(signal SIGKILL\)\. The app's storage is gone\.\nStopping Streamfold\./,
      );
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
