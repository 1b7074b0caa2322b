import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot } from './repoRoot';

export interface HostProcessOptions {
  /** App folder passed as --app. */
  app: string;
  /** Extra CLI arguments (e.g. ['--require-keys']). `--port 0` and a temp `--data-dir` are added unless given. */
  args?: string[];
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string | undefined>;
  /** How long to wait for the listening line; default 30 s. */
  timeoutMs?: number;
}

export interface HostProcess {
  baseUrl: string;
  child: ChildProcess;
  /** The --data-dir the host uses (a fresh temp folder unless args named one). */
  dataDir: string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
  /** Everything the host printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const cliPath = join(repoRoot, 'dist', 'local-host', 'cli.js');

function assertBuilt(): void {
  if (!existsSync(cliPath))
    throw new Error(`${cliPath} is missing: run \`npm run build\` before the integration tests.`);
}

function withDefaults(args: string[]): { args: string[]; dataDir: string } {
  const out = [...args];
  if (!out.includes('--port')) out.push('--port', '0');
  let dataDir: string;
  const i = out.indexOf('--data-dir');
  if (i >= 0 && out[i + 1]) {
    dataDir = out[i + 1]!;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'local-host-data-'));
    out.push('--data-dir', dataDir);
  }
  return { args: out, dataDir };
}

function spawnCli(
  app: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  onData: (fn: () => void) => () => void;
} {
  assertBuilt();
  const child = spawn(process.execPath, [cliPath, '--app', app, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    listeners.forEach((fn) => fn());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // 'close', not 'exit': only then has all of the child's output been read, which failure tests assert on.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    onData: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

function waitFor(proc: ReturnType<typeof spawnCli>, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      if (done) return;
      const match = proc.output().match(pattern);
      if (match) {
        done = true;
        clearTimeout(timer);
        stopListening();
        resolve(match);
      }
    };
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      stopListening();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${pattern}. Output:\n${proc.output()}`));
    }, timeoutMs);
    const stopListening = proc.onData(check);
    void proc.exited.then((code) => {
      check();
      if (done) return;
      done = true;
      clearTimeout(timer);
      stopListening();
      reject(new Error(`Host exited with code ${code} before printing ${pattern}. Output:\n${proc.output()}`));
    });
    check();
  });
}

/** Starts `node dist/local-host/cli.js --app <app> --port 0 ...` and resolves once it prints its listening line. */
export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const { args, dataDir } = withDefaults(options.args ?? []);
  const proc = spawnCli(options.app, args, options.env);
  let match: RegExpMatchArray;
  try {
    match = await waitFor(proc, /Local host listening on (\S+)/, options.timeoutMs ?? 30_000);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
  const baseUrl = match[1]!;
  return {
    baseUrl,
    child: proc.child,
    dataDir,
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      return proc.exited;
    },
    async kill() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    },
    output: proc.output,
    async waitForOutput(pattern: RegExp, timeoutMs = 30_000) {
      await waitFor(proc, pattern, timeoutMs);
      return proc.output();
    },
  };
}

/** Runs the CLI expecting it to fail start-up; resolves with its exit code and output. */
export async function runHostExpectingFailure(
  options: HostProcessOptions,
): Promise<{ code: number | null; output: string }> {
  const { args } = withDefaults(options.args ?? []);
  const proc = spawnCli(options.app, args, options.env);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  proc.onData(() => {
    // A host that started is not the failure the caller expected: stop it so the test sees its output.
    if (/Local host listening on/.test(proc.output())) proc.child.kill('SIGTERM');
  });
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: proc.output() };
}
