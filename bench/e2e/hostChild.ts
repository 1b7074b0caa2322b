import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { HOST_NODE_FLAGS } from '../../local-host/hostNodeFlags';

export interface HostChild {
  baseUrl: string;
  child: ChildProcess;
  /** SIGTERM (graceful: writes a --cpu-prof profile) and wait for exit; SIGKILL after 10 s. */
  stop(): Promise<void>;
  output(): string;
}

/** Spawns dist/local-host/cli.js on `appDir` with the host's node flags and resolves once it listens. `nodeArgs` go to node too (e.g. --cpu-prof). */
export async function startHostChild(o: {
  repoRoot: string;
  appDir: string;
  args: string[];
  env: Record<string, string>;
  nodeArgs?: string[];
}): Promise<HostChild> {
  const cli = join(o.repoRoot, 'dist', 'local-host', 'cli.js');
  const child = spawn(
    process.execPath,
    [...HOST_NODE_FLAGS, ...(o.nodeArgs ?? []), cli, '--app', o.appDir, '--port', '0', ...o.args],
    {
      cwd: o.repoRoot,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  // Keep only the tail: the host logs every invocation.
  const append = (c: Buffer): void => {
    text = (text + c.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start within 60 s:\n${text}`)), 60_000);
    const check = (): void => {
      const m = /Local host listening on (\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The host exited while starting:\n${text}`));
    });
  });
  return {
    baseUrl,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // A host stuck in shutdown must not hang the bench.
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}
