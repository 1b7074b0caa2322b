import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** A host log line and when the harness read it. */
export interface LoggedLine {
  at: number;
  text: string;
}

export interface ChaosHost {
  baseUrl: string;
  child: ChildProcess;
  /** Lines matching `pattern` read so far. */
  lines(pattern: RegExp): LoggedLine[];
  /** The last lines the host printed (diagnostics). */
  tail(n?: number): string;
  stop(): Promise<void>;
}

/** Lines the harness counts; everything else only goes to the log file and the tail. */
const interesting =
  /fault injected:|STREAMFOLD_FAULTS|ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT|EPIPE|failed on partition|closed window\(s\) failed|were not recorded|failed:/;

/**
 * Spawns dist/local-host/cli.js on the app (the repository) and resolves once it listens. Every line goes to
 * `logFile`; lines the chaos report counts are kept with their arrival time.
 */
export async function startChaosHost(o: {
  repoRoot: string;
  args: string[];
  env: Record<string, string>;
  logFile: string;
}): Promise<ChaosHost> {
  const cli = join(o.repoRoot, 'dist', 'local-host', 'cli.js');
  const child = spawn(process.execPath, [cli, '--app', o.repoRoot, '--port', '0', ...o.args], {
    cwd: o.repoRoot,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: WriteStream = createWriteStream(o.logFile);
  const kept: LoggedLine[] = [];
  const tail: string[] = [];
  const partial = { stdout: '', stderr: '' };
  const onData =
    (stream: 'stdout' | 'stderr') =>
    (chunk: Buffer): void => {
      log.write(chunk);
      const parts = (partial[stream] + chunk.toString('utf8')).split('\n');
      partial[stream] = parts.pop() ?? '';
      const at = Date.now();
      for (const text of parts) {
        if (interesting.test(text)) kept.push({ at, text });
        tail.push(text);
        if (tail.length > 400) tail.shift();
      }
    };
  child.stdout!.on('data', onData('stdout'));
  child.stderr!.on('data', onData('stderr'));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The local host did not start within 90 s:\n${tail.join('\n')}`)),
      90_000,
    );
    const check = (): void => {
      const m = /Local host listening on (\S+)/.exec(tail.join('\n'));
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The local host exited while starting:\n${tail.join('\n')}`));
    });
  });
  return {
    baseUrl,
    child,
    lines: (pattern) => kept.filter((l) => pattern.test(l.text)),
    tail: (n = 60) => tail.slice(-n).join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // A host stuck in shutdown must not hang the harness.
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
