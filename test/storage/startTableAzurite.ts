import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

import { TableServiceClient } from '@azure/data-tables';

/** Azurite's published development account key (not a secret). */
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface TableAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

/** A real in-memory Azurite Table service on a free port (only the table service: no clashes on 10000/10001). */
export async function startTableAzurite(): Promise<TableAzurite> {
  const port = await freePort();
  const main = path.join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'table', 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--silent', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--tableHost', '127.0.0.1', '--tablePort', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with ${child.exitCode}: ${stderr}`);
    try {
      await service.listTables().byPage().next();
      break;
    } catch (error) {
      if (attempt > 300) {
        child.kill();
        throw new Error(`Azurite did not answer on port ${port}: ${(error as Error).message} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { connectionString, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
