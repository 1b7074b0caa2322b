import Database from 'better-sqlite3';

import type {
  Commit,
  DurableStore,
  EntityRecord,
  HistoryEvent,
  InstanceQuery,
  InstanceRecord,
  InstanceSummary,
  StoredMessage,
} from '../types';
import { deepFreeze } from './deepFreeze';
import { HistoryCache } from './historyCache';

/**
 * One SQLite file in WAL mode. Each commit is one transaction, so an entity batch's new state, its
 * outgoing messages and the removal of the operations it consumed land together or not at all.
 * History is only appended while an execution runs: each commit adds one row holding its new events, so an
 * episode writes those instead of the whole history (which made long orchestrations quadratic).
 */
export class SqliteStore implements DurableStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly tx: (commit: Commit) => void;
  private readonly readHistory: Database.Statement<[string], { events: string }>;
  /** Prepared once: each entity batch reads its entity (preparing compiles the SQL every time). */
  private readonly readEntity: Database.Statement<[string], { record: string; state: string | null }>;
  private readonly readInstance: Database.Statement<
    [string],
    { execution_id: string; history_count: number; record: string }
  >;
  private readonly cache = new HistoryCache();
  /** Cache updates of the transaction in progress: applied only once it committed. */
  private pendingCache: (() => void)[] = [];
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable against process crashes (the case we resume from); only an OS crash can lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    addEntityStateColumn(this.db);
    migrateWholeRecordInstances(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS instances (
        instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_time TEXT NOT NULL,
        execution_id TEXT NOT NULL, history_count INTEGER NOT NULL, record TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS instances_created ON instances (created_time, instance_id);
      CREATE TABLE IF NOT EXISTS history (instance_id TEXT NOT NULL, first INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY (instance_id, first)) WITHOUT ROWID;
    `);
    const deleteMessage = this.db.prepare('DELETE FROM messages WHERE id = ?');
    const insertMessage = this.db.prepare('INSERT OR REPLACE INTO messages (id, body) VALUES (?, ?)');
    const stored = this.db.prepare<[string], { executionId: string; count: number }>(
      'SELECT execution_id AS executionId, history_count AS count FROM instances WHERE instance_id = ?',
    );
    // An upsert updates the row in place; INSERT OR REPLACE would delete and re-insert it and its index entry.
    const putInstance = this.db.prepare(
      `INSERT INTO instances (instance_id, status, created_time, execution_id, history_count, record) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (instance_id) DO UPDATE SET status = excluded.status, created_time = excluded.created_time,
         execution_id = excluded.execution_id, history_count = excluded.history_count, record = excluded.record`,
    );
    const appendEvents = this.db.prepare('INSERT INTO history (instance_id, first, events) VALUES (?, ?, ?)');
    const clearHistory = this.db.prepare('DELETE FROM history WHERE instance_id = ?');
    const deleteInstance = this.db.prepare('DELETE FROM instances WHERE instance_id = ?');
    // The state in its own column, not inside the record's JSON: a stream entity's state is 10-400 KB of JSON text,
    // which escaping into the record and unescaping on every read cost as much again. An upsert updates the row in
    // place (INSERT OR REPLACE deletes and re-inserts it, overflow pages and all).
    const putEntity = this.db.prepare(
      `INSERT INTO entities (entity_id, record, state) VALUES (?, ?, ?)
       ON CONFLICT (entity_id) DO UPDATE SET record = excluded.record, state = excluded.state`,
    );
    const deleteEntity = this.db.prepare('DELETE FROM entities WHERE entity_id = ?');
    this.readHistory = this.db.prepare('SELECT events FROM history WHERE instance_id = ? ORDER BY first');
    this.readEntity = this.db.prepare('SELECT record, state FROM entities WHERE entity_id = ?');
    this.readInstance = this.db.prepare(
      'SELECT execution_id, history_count, record FROM instances WHERE instance_id = ?',
    );
    const writeInstance = (r: InstanceRecord): void => {
      const cached = this.cache.peek(r.instanceId);
      const before = cached ?? stored.get(r.instanceId);
      // The same execution only ever grows its history (DurableStore contract); anything else starts over.
      let from = 0;
      if (before && before.executionId === r.executionId && r.history.length >= before.count) from = before.count;
      else if (before) clearHistory.run(r.instanceId);
      // One row per append (an episode's new events as a JSON array), not per event: fewer B-tree writes per commit.
      let added: HistoryEvent[] = [];
      if (r.history.length > from) {
        const text = JSON.stringify(r.history.slice(from));
        appendEvents.run(r.instanceId, from, text);
        // The cache gets its own frozen copy, parsed from the row just written (cheaper than cloning each event).
        added = deepFreeze(JSON.parse(text) as HistoryEvent[]);
      }
      const kept =
        from > 0 && cached
          ? cached.events
          : r.history.slice(0, from).map((e) => (Object.isFrozen(e) ? e : deepFreeze(structuredClone(e))));
      const events = from === 0 ? added : [...kept, ...added];
      this.pendingCache.push(() => this.cache.set(r.instanceId, r.executionId, events));
      const { history: _history, ...rest } = r;
      putInstance.run(r.instanceId, r.status, r.createdTime, r.executionId, r.history.length, JSON.stringify(rest));
    };
    this.tx = this.db.transaction((commit: Commit) => {
      for (const id of commit.deleteMessages ?? []) deleteMessage.run(id);
      for (const m of commit.addMessages ?? []) insertMessage.run(m.id, JSON.stringify(m));
      for (const id of commit.deleteInstances ?? []) {
        deleteInstance.run(id);
        clearHistory.run(id);
        this.pendingCache.push(() => this.cache.delete(id));
      }
      for (const r of commit.putInstances ?? []) writeInstance(r);
      for (const id of commit.deleteEntities ?? []) deleteEntity.run(id);
      for (const { state, ...rest } of commit.putEntities ?? [])
        putEntity.run(rest.entityId, JSON.stringify(rest), state);
    });
  }

  loadMessages(): StoredMessage[] {
    const rows = this.db.prepare('SELECT body FROM messages ORDER BY seq').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as StoredMessage);
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const row = this.readInstance.get(instanceId);
    if (!row) return undefined;
    let events = this.cache.get(instanceId, row.execution_id, row.history_count);
    if (!events) {
      events = this.readHistory.all(instanceId).flatMap((h) => deepFreeze(JSON.parse(h.events) as HistoryEvent[]));
      this.cache.set(instanceId, row.execution_id, events);
    }
    // A fresh array of shared frozen events: callers may append, never change what is stored.
    return { ...(JSON.parse(row.record) as InstanceSummary), history: [...events] };
  }

  queryInstances(query: InstanceQuery): InstanceSummary[] {
    const where: string[] = [];
    const args: string[] = [];
    if (query.createdTimeFrom !== undefined) {
      where.push('created_time >= ?');
      args.push(query.createdTimeFrom);
    }
    if (query.createdTimeTo !== undefined) {
      where.push('created_time <= ?');
      args.push(query.createdTimeTo);
    }
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
      where.push(`status IN (${query.runtimeStatus.map(() => '?').join(',')})`);
      args.push(...query.runtimeStatus);
    }
    if (query.instanceIdPrefix !== undefined) {
      where.push('substr(instance_id, 1, ?) = ?');
      args.push(String(query.instanceIdPrefix.length), query.instanceIdPrefix);
    }
    const sql = `SELECT record FROM instances ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_time, instance_id`;
    const rows = this.db.prepare(sql).all(...args) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as InstanceSummary);
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const row = this.readEntity.get(entityId);
    if (!row) return undefined;
    const record = JSON.parse(row.record) as Omit<EntityRecord, 'state'> & { state?: string | null };
    // Rows written before the state column keep the state inside the record (addEntityStateColumn).
    return { ...record, state: row.state ?? record.state ?? null };
  }

  commit(commit: Commit): void {
    this.pendingCache = [];
    try {
      this.tx(commit);
      for (const apply of this.pendingCache) apply();
    } finally {
      this.pendingCache = [];
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * Data dirs written before the state column keep each entity's state inside its record: the column is added (NULL for
 * those rows, whose reads fall back to the record's state until their next write moves it).
 */
function addEntityStateColumn(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('entities')").all() as { name: string }[];
  if (!columns.some((c) => c.name === 'state')) db.exec('ALTER TABLE entities ADD COLUMN state TEXT');
}

/** Data dirs written before history rows existed keep each instance's history inside its record: split it out. */
function migrateWholeRecordInstances(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('instances')").all() as { name: string }[];
  if (columns.length === 0 || columns.some((c) => c.name === 'execution_id')) return;
  db.transaction(() => {
    db.exec('ALTER TABLE instances RENAME TO instances_v1; DROP INDEX IF EXISTS instances_created;');
    db.exec(`
      CREATE TABLE instances (
        instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_time TEXT NOT NULL,
        execution_id TEXT NOT NULL, history_count INTEGER NOT NULL, record TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS history (instance_id TEXT NOT NULL, first INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY (instance_id, first)) WITHOUT ROWID;
    `);
    const put = db.prepare('INSERT INTO instances VALUES (?, ?, ?, ?, ?, ?)');
    const append = db.prepare('INSERT INTO history (instance_id, first, events) VALUES (?, 0, ?)');
    for (const row of db.prepare('SELECT record FROM instances_v1').all() as { record: string }[]) {
      const { history, ...rest } = JSON.parse(row.record) as InstanceRecord;
      if (history.length > 0) append.run(rest.instanceId, JSON.stringify(history));
      put.run(rest.instanceId, rest.status, rest.createdTime, rest.executionId, history.length, JSON.stringify(rest));
    }
    db.exec('DROP TABLE instances_v1');
  })();
}
