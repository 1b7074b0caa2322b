import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { TableWindowStore } from '../../src/storage/table/TableWindowStore';
import { tableClientFor } from '../../src/storage/tableClientFor';
import {
  TABLE_REQUEST_COUNTS_SETTING,
  tableRequestCounter,
  tableRequestCounts,
} from '../../src/storage/tableRequestCounts';
import { closedWindowData } from '../support/closedWindowRow';
import { startTableAzurite, type TableAzurite } from './startTableAzurite';

let azurite: TableAzurite;
const dir = mkdtempSync(join(tmpdir(), 'table-requests-'));

beforeAll(async () => {
  azurite = await startTableAzurite();
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`${TABLE_REQUEST_COUNTS_SETTING} (Azurite)`, () => {
  it('adds no policy when unset', () => {
    expect(tableRequestCounter('Windows', {})).toBeUndefined();
    expect(tableRequestCounter('Windows', { [TABLE_REQUEST_COUNTS_SETTING]: '' })).toBeUndefined();
  });

  it('counts every request per table, a transaction as one, and writes the totals to the file', async () => {
    const file = join(dir, 'counts.json');
    const env = { AzureWebJobsStorage: azurite.connectionString, [TABLE_REQUEST_COUNTS_SETTING]: file };
    const name = `cnt${process.pid}Windows`;
    const store = new TableWindowStore(() => tableClientFor(name, env));
    const before = tableRequestCounts()[name] ?? 0;
    // createTable (1), one transaction of three rows (1), one query (1).
    await store.upsert(
      'k',
      [0, 1, 2].map((i) => ({
        start: i * 1000,
        end: (i + 1) * 1000,
        data: closedWindowData(i * 1000, (i + 1) * 1000, { events: i }),
      })),
    );
    expect((await store.query('k')).items).toHaveLength(3);
    expect((tableRequestCounts()[name] ?? 0) - before).toBe(3);
    // The file follows within its debounce.
    let written: Record<string, number> = {};
    for (let i = 0; i < 100 && written[name] !== 3; i++) {
      await sleep(50);
      try {
        written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
      } catch {
        // not written yet
      }
    }
    expect(written[name]).toBe(3);
  });
});
