import Database from 'better-sqlite3';

import type { Commit, DurableStore, EntityRecord, InstanceQuery, InstanceRecord, StoredMessage } from './types';

/**
 * One SQLite file in WAL mode. Each commit is one transaction, so an entity batch's new state, its
 * outgoing messages and the removal of the operations it consumed land together or not at all.
 */
export class SqliteStore implements DurableStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly tx: (commit: Commit) => void;
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable against process crashes (the case we resume from); only an OS crash can lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS instances (instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_time TEXT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS instances_created ON instances (created_time, instance_id);
      CREATE TABLE IF NOT EXISTS entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL);
    `);
    const deleteMessage = this.db.prepare('DELETE FROM messages WHERE id = ?');
    const insertMessage = this.db.prepare('INSERT OR REPLACE INTO messages (id, body) VALUES (?, ?)');
    const putInstance = this.db.prepare(
      'INSERT OR REPLACE INTO instances (instance_id, status, created_time, record) VALUES (?, ?, ?, ?)',
    );
    const deleteInstance = this.db.prepare('DELETE FROM instances WHERE instance_id = ?');
    const putEntity = this.db.prepare('INSERT OR REPLACE INTO entities (entity_id, record) VALUES (?, ?)');
    const deleteEntity = this.db.prepare('DELETE FROM entities WHERE entity_id = ?');
    this.tx = this.db.transaction((commit: Commit) => {
      for (const id of commit.deleteMessages ?? []) deleteMessage.run(id);
      for (const m of commit.addMessages ?? []) insertMessage.run(m.id, JSON.stringify(m));
      for (const id of commit.deleteInstances ?? []) deleteInstance.run(id);
      for (const r of commit.putInstances ?? []) putInstance.run(r.instanceId, r.status, r.createdTime, JSON.stringify(r));
      for (const id of commit.deleteEntities ?? []) deleteEntity.run(id);
      for (const r of commit.putEntities ?? []) putEntity.run(r.entityId, JSON.stringify(r));
    });
  }

  loadMessages(): StoredMessage[] {
    const rows = this.db.prepare('SELECT body FROM messages ORDER BY seq').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as StoredMessage);
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const row = this.db.prepare('SELECT record FROM instances WHERE instance_id = ?').get(instanceId) as
      | { record: string }
      | undefined;
    return row && (JSON.parse(row.record) as InstanceRecord);
  }

  queryInstances(query: InstanceQuery): InstanceRecord[] {
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
    return rows.map((r) => JSON.parse(r.record) as InstanceRecord);
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const row = this.db.prepare('SELECT record FROM entities WHERE entity_id = ?').get(entityId) as
      | { record: string }
      | undefined;
    return row && (JSON.parse(row.record) as EntityRecord);
  }

  commit(commit: Commit): void {
    this.tx(commit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
