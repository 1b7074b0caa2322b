import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { newInstance } from '../../../local-host/durable/runtime/newInstance';
import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import type { HistoryEvent, InstanceRecord } from '../../../local-host/durable/types';

let n = 0;
const newId = (): string => `sq-${n++}`;
const ev = (i: number): HistoryEvent => ({
  EventType: 5,
  EventId: -1,
  IsPlayed: false,
  Timestamp: 't',
  TaskScheduledId: i,
  Result: String(i),
});
const file = (): string => join(mkdtempSync(join(tmpdir(), 'durable-sqlite-')), 'hub.sqlite');

describe('SqliteStore history rows', () => {
  it('writes only the new events of an episode (counted by triggers from a second connection)', () => {
    const path = file();
    const store = new SqliteStore(path);
    const record: InstanceRecord = {
      ...newInstance({ instanceId: 'long', name: 'Orch', input: null, now: 0 }, newId).record,
      history: [],
    };
    for (let i = 0; i < 200; i++) record.history.push(ev(i));
    store.commit({ putInstances: [record] });

    const spy = new Database(path);
    // Count the events each history write carries, whatever the row layout.
    spy.exec(`
      CREATE TABLE audit (op TEXT NOT NULL, events INTEGER NOT NULL);
      CREATE TRIGGER audit_insert AFTER INSERT ON history BEGIN INSERT INTO audit VALUES ('insert', json_array_length(NEW.events)); END;
      CREATE TRIGGER audit_delete AFTER DELETE ON history BEGIN INSERT INTO audit VALUES ('delete', json_array_length(OLD.events)); END;
      CREATE TRIGGER audit_update AFTER UPDATE ON history BEGIN INSERT INTO audit VALUES ('update', json_array_length(NEW.events)); END;
    `);
    const written = (): Record<string, number> =>
      Object.fromEntries(
        (spy.prepare('SELECT op, sum(events) AS n FROM audit GROUP BY op').all() as { op: string; n: number }[]).map(
          (r) => [r.op, r.n],
        ),
      );

    store.commit({
      putInstances: [{ ...record, status: 'Running', history: [...record.history, ev(200), ev(201), ev(202)] }],
    });
    expect(written()).toEqual({ insert: 3 });
    expect(store.getInstance('long')?.history).toEqual([...record.history, ev(200), ev(201), ev(202)]);

    store.commit({ putInstances: [{ ...record, executionId: 'new-exec', history: [ev(0)] }] });
    expect(written()).toEqual({ insert: 4, delete: 203 });
    store.close();
    const reopened = new SqliteStore(path);
    expect(reopened.getInstance('long')?.history).toEqual([ev(0)]);
    reopened.close();
    spy.close();
  });

  it('opens a data dir written with whole-record instances and splits their history out', () => {
    const path = file();
    const old = new Database(path);
    old.exec(`
      CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE instances (instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_time TEXT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX instances_created ON instances (created_time, instance_id);
      CREATE TABLE entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    const record: InstanceRecord = {
      ...newInstance({ instanceId: 'legacy', name: 'Orch', input: '"x"', now: 0 }, newId).record,
      history: [ev(0), ev(1)],
    };
    old
      .prepare('INSERT INTO instances VALUES (?, ?, ?, ?)')
      .run(record.instanceId, record.status, record.createdTime, JSON.stringify(record));
    old.close();

    const store = new SqliteStore(path);
    expect(store.getInstance('legacy')).toEqual(record);
    store.commit({ putInstances: [{ ...record, history: [...record.history, ev(2)] }] });
    expect(store.getInstance('legacy')?.history).toHaveLength(3);
    store.close();
    const reopened = new SqliteStore(path);
    expect(reopened.queryInstances({}).map((r) => r.instanceId)).toEqual(['legacy']);
    reopened.close();
  });
});
