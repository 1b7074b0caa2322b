import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { configError, HostSystemError } from '../errors';

export interface AzuritePorts {
  blob?: number;
  queue?: number;
  table?: number;
}

export interface StartAzuriteOptions {
  /** Workspace folder for persisted data; ignored with `inMemory`. Default: a folder must be given unless inMemory. */
  location?: string;
  inMemory?: boolean;
  /** 0 picks a free port; defaults 10000/10001/10002. A number applies to all three only when 0. */
  ports?: AzuritePorts | 0;
  /** How long to wait for all three services; default 30 s. */
  timeoutMs?: number;
  /** Called once if Azurite exits after it started without being asked to stop (the error says how, with its last output). */
  onUnexpectedExit?: (err: HostSystemError) => void;
}

export interface RunningAzurite {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  /** Full connection string for the well-known development account on these endpoints. */
  connectionString: string;
  stop(): Promise<void>;
}

export const devAccountName = 'devstoreaccount1';
export const devAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

type Service = 'blob' | 'queue' | 'table';
const services: readonly Service[] = ['blob', 'queue', 'table'];
const defaultPorts: Record<Service, number> = { blob: 10000, queue: 10001, table: 10002 };

function azuriteCli(): string {
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}

/**
 * Starts Azurite (blob, queue, table) from the `azurite` npm package as a child process on 127.0.0.1 and
 * resolves once all three services listen. A busy port is a clear error naming the port.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const ports: Record<Service, number> =
    options.ports === 0 ? { blob: 0, queue: 0, table: 0 } : { ...defaultPorts, ...(options.ports ?? {}) };
  const args = [azuriteCli(), '--blobHost', '127.0.0.1', '--queueHost', '127.0.0.1', '--tableHost', '127.0.0.1'];
  for (const service of services) args.push(`--${service}Port`, String(ports[service]));
  args.push('--skipApiVersionCheck', '--loose', '--disableTelemetry');
  if (options.inMemory) {
    args.push('--inMemoryPersistence');
  } else {
    if (!options.location) throw configError('startAzurite needs a location folder unless inMemory is set.');
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  }
  // Azurite stops when our end of its stdin closes, i.e. when this process is gone however it died (even SIGKILL),
  // so an emulator is never left running without its host. SIGTERM lets Azurite shut down its own way.
  const exitWithParent =
    'data:text/javascript,process.stdin.on("end",()=>{process.kill(process.pid,"SIGTERM");setTimeout(()=>process.exit(0),5000).unref()});process.stdin.resume();';
  const child = spawn(process.execPath, ['--import', exitWithParent, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const actual = await waitUntilListening(child, ports, options.timeoutMs ?? 30_000);
  // The last lines Azurite printed, to say why it died (e.g. "Invalid string length" when its table file outgrew V8).
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    options.onUnexpectedExit?.(
      new HostSystemError(
        `Embedded Azurite exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}).${tail.length ? ` Its last output:\n${tail.join('\n')}\n` : ''}`,
      ),
    );
  });
  const url = (service: Service): string => `http://127.0.0.1:${actual[service]}/${devAccountName}`;
  const blobUrl = url('blob');
  const queueUrl = url('queue');
  const tableUrl = url('table');
  return {
    blobUrl,
    queueUrl,
    tableUrl,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};BlobEndpoint=${blobUrl};QueueEndpoint=${queueUrl};TableEndpoint=${tableUrl};`,
    stop: () => (stopping ??= stopChild(child)),
  };
}

function waitUntilListening(
  child: ChildProcess,
  requested: Record<Service, number>,
  timeoutMs: number,
): Promise<Record<Service, number>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<Service, number>> = {};
    let output = '';
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else {
        // Keep draining so a chatty Azurite never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as Record<Service, number>);
      }
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const m of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:\s]+:(\d+)/g,
      )) {
        found[m[1]!.toLowerCase() as Service] = Number(m[2]);
      }
      const busy = /EADDRINUSE[^\n]*?:(\d+)/.exec(output);
      if (busy) {
        const port = Number(busy[1]);
        const service = services.find((s) => requested[s] === port) ?? 'storage';
        finish(
          configError(
            `Port ${port} (Azurite ${service}) is already in use. If Azurite or another storage emulator is already running, pass --no-azurite to use it; otherwise stop the process holding port ${port}.`,
          ),
        );
        return;
      }
      if (services.every((s) => found[s] !== undefined)) finish();
    };
    const timer = setTimeout(
      () => finish(new HostSystemError(`Azurite did not start within ${timeoutMs} ms. Output:\n${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      finish(new HostSystemError(`Azurite exited with code ${code} while starting. Output:\n${output}`)),
    );
    child.once('error', (err) => finish(new HostSystemError(`Azurite could not be started: ${err.message}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
