import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import type { EntityRecord } from '../../../local-host/durable/types';

const file = (): string => join(mkdtempSync(join(tmpdir(), 'durable-sqlite-entities-')), 'hub.sqlite');
const entity = (state: string | null): EntityRecord => ({
  entityId: '@stream@k',
  name: 'stream',
  key: 'k',
  state,
  lastModified: '2026-12-07T10:00:00.000Z',
});

describe('SqliteStore entity rows', () => {
  it('keeps the state in its own column, not escaped inside the record, and updates the row in place', () => {
    const path = file();
    const store = new SqliteStore(path);
    const state = JSON.stringify({ windows: { a: 'x"y' }, n: 1 });
    store.commit({ putEntities: [entity(state)] });
    store.commit({ putEntities: [entity(JSON.stringify({ n: 2 }))] });
    expect(store.getEntity('@stream@k')).toEqual(entity(JSON.stringify({ n: 2 })));
    store.close();
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT rowid, record, state FROM entities').all() as {
      rowid: number;
      record: string;
      state: string;
    }[];
    raw.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.state).toBe(JSON.stringify({ n: 2 }));
    expect(JSON.parse(rows[0]!.record)).toEqual({
      entityId: '@stream@k',
      name: 'stream',
      key: 'k',
      lastModified: '2026-12-07T10:00:00.000Z',
    });
    // Upserted, not deleted and inserted again (INSERT OR REPLACE would give a new rowid).
    expect(rows[0]?.rowid).toBe(1);
  });

  it('a null state reads as null', () => {
    const store = new SqliteStore(file());
    store.commit({ putEntities: [entity(null)] });
    expect(store.getEntity('@stream@k')?.state).toBeNull();
    store.close();
  });

  it('reads entities a data dir written before the state column holds, and moves their state on the next write', () => {
    const path = file();
    const old = new Database(path);
    old.exec('CREATE TABLE entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL)');
    old
      .prepare('INSERT INTO entities (entity_id, record) VALUES (?, ?)')
      .run('@stream@k', JSON.stringify(entity('{"version":3}')));
    old.close();

    const store = new SqliteStore(path);
    expect(store.getEntity('@stream@k')).toEqual(entity('{"version":3}'));
    store.commit({ putEntities: [entity('{"version":4}')] });
    expect(store.getEntity('@stream@k')).toEqual(entity('{"version":4}'));
    store.close();
    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT record, state FROM entities').get() as { record: string; state: string };
    raw.close();
    expect(row.state).toBe('{"version":4}');
    expect(JSON.parse(row.record)).not.toHaveProperty('state');
  });
});
