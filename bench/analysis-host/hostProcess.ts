import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface RunningHost {
  baseUrl: string;
  child: ChildProcess;
  /** The last output lines (for error messages). */
  tail(): string;
  stop(): Promise<void>;
}

/**
 * `node dist/local-host/cli.js --app <repoRoot> --port 0 --no-azurite --store sqlite --data-dir <dataDir>`
 * with `env` over process.env; resolves once the host prints its listening line.
 */
export function startHost(repoRoot: string, dataDir: string, env: Record<string, string>, timeoutMs = 60_000): Promise<RunningHost> {
  const cli = join(repoRoot, 'dist', 'local-host', 'cli.js');
  const child = spawn(process.execPath, [cli, '--app', repoRoot, '--port', '0', '--no-azurite', '--store', 'sqlite', '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`The host did not print its listening line within ${timeoutMs} ms. Output:\n${output}`));
    }, timeoutMs);
    const check = (): void => {
      const match = /Local host listening on (\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ baseUrl: match[1]!, child, tail: () => output, stop });
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The host exited with code ${child.exitCode} while starting. Output:\n${output}`));
    });
  });
}
