import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TableClient } from '@azure/data-tables';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForListening(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (/successfully (started|listen)/i.test(text)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`azurite-table exited with ${String(code)}: ${text}`)));
  });
}

/** Upserts per second into a real Azurite table (disk persistence, as the host would use it). */
export async function azuriteUpsertRate(
  entities: number,
  parallel: number,
): Promise<{ upsertsPerSecond: number; entities: number; parallel: number }> {
  const port = await freePort();
  const location = mkdtempSync(join(tmpdir(), 'bench-azurite-'));
  const bin = join(__dirname, '..', '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--location',
      location,
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    await waitForListening(child);
    const connection = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
    const client = TableClient.fromConnectionString(connection, 'bench', { allowInsecureConnection: true });
    await client.createTable();
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < entities) {
          const i = next++;
          await client.upsertEntity({
            partitionKey: `p${i % 50}`,
            rowKey: `r${i}`,
            state: JSON.stringify({ count: i }),
          });
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { upsertsPerSecond: entities / seconds, entities, parallel };
  } finally {
    child.kill('SIGTERM');
  }
}
