import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { devAccountKey, devAccountName } from '../../local-host/azurite/startAzurite';

export type StorageService = 'blob' | 'queue' | 'table';
const services: readonly StorageService[] = ['blob', 'queue', 'table'];

export interface StorageProxyOptions {
  /** Azurite's ports, as started (e.g. from its blob/queue/table URLs). */
  targets: Record<StorageService, number>;
  /** Extra latency before forwarding a request (fault injection: widen a crash window). Default none. */
  delayMs?: (service: StorageService, method: string, path: string) => number;
}

export interface StorageProxy {
  /** Connection string for the development account through the proxy. */
  connectionString: string;
  /** Requests forwarded so far, per service. */
  counts(): Record<StorageService, number>;
  /**
   * Requests per "<service> <METHOD> <table, queue or container>" (keys and query stripped), to see who makes them; a
   * table transaction as "table POST $batch:<table>", counted once its body has passed.
   */
  byTarget(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** The table of a transaction's first operation: `PUT http://host/account/Windows(PartitionKey=...) HTTP/1.1`. */
const batchTable = /(?:POST|PUT|PATCH|MERGE|DELETE|GET) https?:\/\/[^/\s]+\/[^/\s]+\/([A-Za-z][A-Za-z0-9]*)/;

/** Azurite ports out of its service URLs (`http://127.0.0.1:<port>/devstoreaccount1`). */
export function portsOf(urls: { blobUrl: string; queueUrl: string; tableUrl: string }): Record<StorageService, number> {
  return {
    blob: Number(new URL(urls.blobUrl).port),
    queue: Number(new URL(urls.queueUrl).port),
    table: Number(new URL(urls.tableUrl).port),
  };
}

/**
 * A loopback HTTP proxy in front of Azurite, one listener per service on a free port: counts every storage
 * request the app makes (the bench's "storage requests per 1,000 events") and can delay them. Requests are
 * forwarded byte for byte (headers and body), so shared-key signatures stay valid.
 */
export async function startStorageProxy(options: StorageProxyOptions): Promise<StorageProxy> {
  const counts: Record<StorageService, number> = { blob: 0, queue: 0, table: 0 };
  const targets = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const servers: Server[] = [];
  // Delayed requests not yet forwarded: close() drops them, so a long hold does not outlive the proxy.
  const held = new Set<NodeJS.Timeout>();
  const ports = {} as Record<StorageService, number>;
  for (const service of services) {
    const server = createServer((req, res) => {
      counts[service]++;
      const name = (req.url ?? '/').split('?')[0]!.split('/')[2]?.replace(/\(.*$/, '') ?? '';
      const target = `${service} ${req.method ?? 'GET'} ${name}`;
      if (name === '$batch') {
        // A table transaction names its table only in its body: count it as "$batch:<table>" once the body has passed.
        let head = '';
        req.on('data', (chunk: Buffer) => {
          if (head.length < 4096) head += chunk.toString('latin1');
        });
        req.on('end', () => {
          const table = batchTable.exec(head)?.[1] ?? '?';
          targets.set(`${target}:${table}`, (targets.get(`${target}:${table}`) ?? 0) + 1);
        });
      } else {
        targets.set(target, (targets.get(target) ?? 0) + 1);
      }
      const forward = (): void => {
        const upstream = request(
          {
            host: '127.0.0.1',
            port: options.targets[service],
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (err) => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`storage proxy: ${err.message}`);
        });
        req.pipe(upstream);
      };
      const delay = options.delayMs?.(service, req.method ?? 'GET', req.url ?? '/') ?? 0;
      if (delay > 0) {
        req.pause();
        const timer = setTimeout(() => {
          held.delete(timer);
          forward();
        }, delay);
        held.add(timer);
      } else {
        forward();
      }
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    ports[service] = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  const url = (service: StorageService): string => `http://127.0.0.1:${ports[service]}/${devAccountName}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};BlobEndpoint=${url('blob')};QueueEndpoint=${url('queue')};TableEndpoint=${url('table')};`,
    counts: () => ({ ...counts }),
    byTarget: () => Object.fromEntries([...targets].sort((a, b) => b[1] - a[1])),
    total: () => counts.blob + counts.queue + counts.table,
    async close() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      agent.destroy();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
