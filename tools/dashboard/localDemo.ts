import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root, from tools/dashboard (source, under jest) or dist/tools/dashboard (built; dist holds a package.json copy, not tsconfig.json). */
const repoRoot = existsSync(resolve(__dirname, '..', '..', 'tsconfig.json'))
  ? resolve(__dirname, '..', '..')
  : resolve(__dirname, '..', '..', '..');

export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** Debian's chromium (CHROMIUM_PATH overrides); an error naming the install command when it is missing. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `expected Chromium at ${path} for the dashboard's browser tests, found nothing: install it with \`${CHROMIUM_INSTALL}\` (Debian; .ci/run does this), or set CHROMIUM_PATH.`,
    );
  }
  return path;
}

export interface LocalDemo {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm run local -- --demo` as a child process (dist/tools/local/cli.js, after `npm run build`): a free HTTP port, its
 * own Azurite on free ports and a temp data folder removed on stop.
 */
export async function startLocalDemo(args: string[] = [], timeoutMs = 90_000): Promise<LocalDemo> {
  const cli = join(repoRoot, 'dist', 'tools', 'local', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first.`);
  const dataDir = mkdtempSync(join(tmpdir(), 'streamfold-dashboard-'));
  const env = { ...process.env };
  delete env['AzureWebJobsStorage'];
  delete env['EventHubConnection'];
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '--demo', '--port', '0', '--azurite-ports', 'auto', '--data-dir', dataDir, ...args],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /Local host listening on (\S+)/.exec(output)?.[1];
    if (url) return { baseUrl: url, output: () => output, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `npm run local -- --demo did not start (${child.exitCode !== null ? `exit ${child.exitCode}` : `no listening line within ${timeoutMs} ms`}):\n${output}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
