/**
 * The embedded table store as the built host runs it: on a worker thread (dist/, after `npm run build`), persisted to
 * a SQLite file, reached through @azure/data-tables.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TableClient } from '@azure/data-tables';
import Database from 'better-sqlite3';

import type * as StartTables from '../../local-host/tables/startTables';
import { repoRoot } from '../support/repoRoot';

const built = join(repoRoot, 'dist', 'local-host', 'tables', 'startTables.js');
const devKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('embedded table store on a worker thread (built)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tables-worker-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the SDK from its thread, keeps the rows in the SQLite file after it stops, and frees its port', async () => {
    expect(existsSync(built)).toBe(true);
    const { startTables } = (await import(built)) as typeof StartTables;
    const file = join(dir, 'tables', 'tables.sqlite');
    const tables = await startTables({ file, port: 0 });
    expect(tables.mode).toBe('worker');
    const client = TableClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${devKey};TableEndpoint=${tables.tableUrl};`,
      'Windows',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await client.createTable();
    await client.submitTransaction([
      ['upsert', { partitionKey: 'default|s-1', rowKey: '0001', n: 1 }, 'Replace'],
      ['upsert', { partitionKey: 'default|s-1', rowKey: '0002', n: 2 }, 'Replace'],
    ]);
    expect((await client.getEntity('default|s-1', '0002')).n).toBe(2);
    await tables.stop();
    await expect(client.getEntity('default|s-1', '0001')).rejects.toThrow();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT pk, rk FROM entities WHERE tbl = 'windows' ORDER BY rk").all()).toEqual([
        { pk: 'default|s-1', rk: '0001' },
        { pk: 'default|s-1', rk: '0002' },
      ]);
    } finally {
      db.close();
    }
  });

  it('fails to start with an error naming a busy port', async () => {
    const { startTables } = (await import(built)) as typeof StartTables;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startTables({ file: join(dir, 'busy.sqlite'), port })).rejects.toThrow(
        `Port ${port} (the embedded table store) is already in use.`,
      );
    } finally {
      blocker.close();
    }
  });
});
