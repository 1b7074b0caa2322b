import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { configError, HostSystemError } from '../errors';
import { type RunningTableServer, startTableServer } from './tableServer';

export interface StartTablesOptions {
  /** SQLite file (its folder is created), or ':memory:'. */
  file: string;
  /** 0 picks a free port; default 10002. */
  port?: number;
  /** Called once if the store's thread dies after it started without being asked to stop. */
  onUnexpectedExit?: (err: HostSystemError) => void;
}

export interface RunningTables {
  port: number;
  tableUrl: string;
  /** 'worker' when the store runs on its own thread (built code), 'in-process' from TypeScript sources (tests). */
  mode: 'worker' | 'in-process';
  stop(): Promise<void>;
}

/**
 * Starts the embedded table store. Built (dist), it runs on a worker thread: the app's requests are parsed and written
 * on another core, as with Azurite's separate process, yet the thread cannot outlive the host. Run from TypeScript
 * sources (jest), the worker's .js file does not exist, so it runs in the calling thread.
 */
export async function startTables(options: StartTablesOptions): Promise<RunningTables> {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const threadFile = join(__dirname, 'tableServerThread.js');
  if (!existsSync(threadFile)) {
    const server = await startServer(options);
    return { port: server.port, tableUrl: server.tableUrl, mode: 'in-process', stop: () => server.stop() };
  }
  const worker = new Worker(threadFile, { workerData: { file: options.file, port: options.port ?? 10002 } });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (msg: { kind: string; port?: number; message?: string; code?: string }): void => {
      if (msg.kind === 'listening') {
        cleanup();
        resolve(msg.port!);
      } else if (msg.kind === 'failed') {
        cleanup();
        void worker.terminate();
        reject(startError(options.port ?? 10002, msg.message ?? 'unknown error', msg.code));
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new HostSystemError(`The embedded table store could not start: ${err.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new HostSystemError(`The embedded table store exited with code ${code} while starting.`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
  let stopping: Promise<void> | undefined;
  let failure: Error | undefined;
  worker.once('error', (err) => (failure = err));
  worker.once('exit', (code) => {
    if (stopping) return;
    options.onUnexpectedExit?.(
      new HostSystemError(
        `The embedded table store exited unexpectedly (code ${code}${failure ? `: ${failure.message}` : ''}).`,
      ),
    );
  });
  return {
    port,
    tableUrl: `http://127.0.0.1:${port}/devstoreaccount1`,
    mode: 'worker',
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (worker.threadId === -1) {
          resolve();
          return;
        }
        // It closes its server and database, then its port: the thread ends by itself.
        const force = setTimeout(() => void worker.terminate(), 5_000);
        worker.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        worker.postMessage('stop');
      })),
  };
}

async function startServer(options: StartTablesOptions): Promise<RunningTableServer> {
  try {
    return await startTableServer({ file: options.file, port: options.port ?? 10002 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw startError(options.port ?? 10002, e.message, e.code);
  }
}

function startError(port: number, message: string, code: string | undefined): Error {
  if (code === 'EADDRINUSE') {
    return configError(
      `Port ${port} (the embedded table store) is already in use. If Azurite or another storage emulator is already running, pass --no-azurite to use it; otherwise stop the process holding port ${port}.`,
    );
  }
  return new HostSystemError(`The embedded table store could not start: ${message}`);
}
