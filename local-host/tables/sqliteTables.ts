import Database from 'better-sqlite3';

import { edmOf, type EdmValue } from './edm';
import { evaluateFilter, type FilterNode, type KeyRange, keyRanges } from './odataFilter';

/** A service error with the Table service's status and code (the SDK reads both). */
export class TableServiceError extends Error {
  override readonly name = 'TableServiceError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One stored entity: its keys, its other properties as wire JSON (annotations included), and its write time. */
export interface StoredEntity {
  pk: string;
  rk: string;
  /** The custom properties, `{...}` as sent (with `name@odata.type` annotations), never the keys or Timestamp. */
  props: string;
  /** Last write, ISO 8601 with 7 fraction digits; unique per write, so it is also the ETag. */
  ts: string;
}

export const etagOf = (ts: string): string => `W/"datetime'${encodeURIComponent(ts)}'"`;

/** Where a query resumes: the first row at or after these keys (from x-ms-continuation-Next* headers). */
export interface ResumeAt {
  pk: string;
  rk?: string;
}

export interface QueryPage {
  rows: StoredEntity[];
  next?: { pk: string; rk: string };
}

// Azure's limits, so code that works here does not fail there (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
const MAX_ENTITY_BYTES = 1024 * 1024;
const MAX_CUSTOM_PROPERTIES = 252;
const MAX_STRING_CHARS = 32 * 1024;
const MAX_KEY_CHARS = 1024;
const forbiddenKeyChars = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
const tableNamePattern = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * The Table service's data in one SQLite file (WAL): an upsert is a primary-key write and a query a key-range read,
 * so neither slows down as rows accumulate, and nothing is ever held or re-serialised whole in memory.
 */
export class SqliteTables {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private lastMs = 0;
  private lastTick = 0;
  private readonly getRow: Database.Statement<[string, string, string], StoredEntity>;
  private readonly putRow: Database.Statement<[string, string, string, string, string]>;
  private readonly deleteRow: Database.Statement<[string, string, string]>;
  private readonly tableByKey: Database.Statement<[string], { name: string }>;
  readonly transaction: <T>(fn: () => T) => T;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (the case that matters locally); only an OS crash loses the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tables (key TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS entities (
        id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, pk TEXT NOT NULL, rk TEXT NOT NULL, ts TEXT NOT NULL, props TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS entities_key ON entities (tbl, pk, rk);
    `);
    // A rowid table with a key index, not WITHOUT ROWID: rows of 1-2 KB (a window row) would spill most of each row
    // into an overflow page of its own in an index b-tree (measured: ~4.7 KB on disk per 1.4 KB row), here they pack.
    this.getRow = this.db.prepare('SELECT pk, rk, ts, props FROM entities WHERE tbl = ? AND pk = ? AND rk = ?');
    this.putRow = this.db.prepare(
      'INSERT INTO entities (tbl, pk, rk, ts, props) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, pk, rk) DO UPDATE SET ts = excluded.ts, props = excluded.props',
    );
    this.deleteRow = this.db.prepare('DELETE FROM entities WHERE tbl = ? AND pk = ? AND rk = ?');
    this.tableByKey = this.db.prepare('SELECT name FROM tables WHERE key = ?');
    const tx = <T>(fn: () => T): T => this.db.transaction(fn)();
    this.transaction = tx;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- tables (names are case-insensitive on the service)

  createTable(name: string): { created: boolean; name: string } {
    if (!tableNamePattern.test(name) || name.toLowerCase() === 'tables') {
      throw new TableServiceError(
        400,
        'InvalidResourceName',
        `The table name ${JSON.stringify(name)} is invalid: expected 3-63 letters and digits starting with a letter.`,
      );
    }
    const existing = this.tableByKey.get(name.toLowerCase());
    if (existing) return { created: false, name: existing.name };
    this.db.prepare('INSERT INTO tables (key, name) VALUES (?, ?)').run(name.toLowerCase(), name);
    return { created: true, name };
  }

  deleteTable(name: string): void {
    const key = this.requireTable(name);
    this.transaction(() => {
      this.db.prepare('DELETE FROM entities WHERE tbl = ?').run(key);
      this.db.prepare('DELETE FROM tables WHERE key = ?').run(key);
    });
  }

  listTables(): string[] {
    return (this.db.prepare('SELECT name FROM tables ORDER BY key').all() as { name: string }[]).map((r) => r.name);
  }

  /** The table's storage key; 404 TableNotFound when it does not exist. */
  requireTable(name: string): string {
    const key = name.toLowerCase();
    if (!this.tableByKey.get(key))
      throw new TableServiceError(404, 'TableNotFound', `The table specified does not exist: ${name}.`);
    return key;
  }

  // ---- entities

  get(table: string, pk: string, rk: string): StoredEntity | undefined {
    return this.getRow.get(this.requireTable(table), pk, rk);
  }

  /** POST: a new entity; 409 EntityAlreadyExists when the keys are taken. */
  insert(table: string, pk: string, rk: string, props: Record<string, unknown>): StoredEntity {
    const key = this.requireTable(table);
    checkKeys(pk, rk);
    if (this.getRow.get(key, pk, rk))
      throw new TableServiceError(409, 'EntityAlreadyExists', 'The specified entity already exists.');
    return this.write(key, pk, rk, props);
  }

  /**
   * PUT (replace) or PATCH/MERGE (merge). Without If-Match it is an upsert (insert-or-replace / insert-or-merge);
   * with one it is an update: 404 when the entity is missing, 412 when the ETag differs (`*` matches any).
   */
  update(
    table: string,
    pk: string,
    rk: string,
    props: Record<string, unknown>,
    mode: 'replace' | 'merge',
    ifMatch: string | undefined,
  ): StoredEntity {
    const key = this.requireTable(table);
    checkKeys(pk, rk);
    const existing = this.getRow.get(key, pk, rk);
    if (ifMatch !== undefined) checkMatch(existing, ifMatch);
    const merged =
      mode === 'merge' && existing ? mergeProps(JSON.parse(existing.props) as Record<string, unknown>, props) : props;
    return this.write(key, pk, rk, merged);
  }

  /** DELETE: 404 when missing, 412 when If-Match differs. */
  delete(table: string, pk: string, rk: string, ifMatch: string): void {
    const key = this.requireTable(table);
    checkMatch(this.getRow.get(key, pk, rk), ifMatch);
    this.deleteRow.run(key, pk, rk);
  }

  /**
   * Up to `top` matching rows in (PartitionKey, RowKey) order from `resume`, reading only the key range the filter's
   * top-level `and` implies, and where the next match is (for the continuation headers), if any.
   */
  query(table: string, filter: FilterNode | undefined, top: number, resume: ResumeAt | undefined): QueryPage {
    const key = this.requireTable(table);
    const ranges = keyRanges(filter);
    const where = ['tbl = ?'];
    const args: string[] = [key];
    addRange('pk', ranges.PartitionKey, where, args);
    addRange('rk', ranges.RowKey, where, args);
    if (resume) {
      where.push('(pk > ? OR (pk = ? AND rk >= ?))');
      args.push(resume.pk, resume.pk, resume.rk ?? '');
    }
    const sql = `SELECT pk, rk, ts, props FROM entities WHERE ${where.join(' AND ')} ORDER BY pk, rk`;
    let statement = this.statements.get(sql) as Database.Statement<string[], StoredEntity> | undefined;
    if (!statement) {
      statement = this.db.prepare<string[], StoredEntity>(sql);
      this.statements.set(sql, statement);
    }
    const rows: StoredEntity[] = [];
    for (const row of statement.iterate(...args)) {
      if (filter && !evaluateFilter(filter, readerOf(row))) continue;
      if (rows.length === top) {
        // One match beyond the page: the service says where to resume only when more matches exist.
        return { rows, next: { pk: row.pk, rk: row.rk } };
      }
      rows.push(row);
    }
    return { rows };
  }

  private write(key: string, pk: string, rk: string, props: Record<string, unknown>): StoredEntity {
    const text = checkProps(props);
    const ts = this.nextTimestamp();
    this.putRow.run(key, pk, rk, ts, text);
    return { pk, rk, ts, props: text };
  }

  /** Write times strictly increase (100 ns ticks within a millisecond), so every write gets a new ETag. */
  private nextTimestamp(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastTick = 0;
    } else {
      this.lastTick++;
      if (this.lastTick > 9999) {
        this.lastMs++;
        this.lastTick = 0;
      }
    }
    return `${new Date(this.lastMs).toISOString().slice(0, 23)}${String(this.lastTick).padStart(4, '0')}Z`;
  }
}

function addRange(column: 'pk' | 'rk', range: KeyRange, where: string[], args: string[]): void {
  if (range.eq !== undefined) {
    where.push(`${column} = ?`);
    args.push(range.eq);
    return;
  }
  if (range.low) {
    where.push(`${column} ${range.low.inclusive ? '>=' : '>'} ?`);
    args.push(range.low.value);
  }
  if (range.high) {
    where.push(`${column} ${range.high.inclusive ? '<=' : '<'} ?`);
    args.push(range.high.value);
  }
}

/** Reads a stored row's properties for the filter, parsing its JSON only if a custom property is asked for. */
export function readerOf(row: StoredEntity): (name: string) => EdmValue | undefined {
  let props: Record<string, unknown> | undefined;
  return (name) => {
    if (name === 'PartitionKey') return { type: 'String', value: row.pk };
    if (name === 'RowKey') return { type: 'String', value: row.rk };
    if (name === 'Timestamp') return { type: 'DateTime', value: row.ts };
    props ??= JSON.parse(row.props) as Record<string, unknown>;
    return edmOf(props[name], props[`${name}@odata.type`]);
  };
}

function checkMatch(existing: StoredEntity | undefined, ifMatch: string): void {
  if (!existing) throw new TableServiceError(404, 'ResourceNotFound', 'The specified resource does not exist.');
  if (ifMatch !== '*' && ifMatch !== etagOf(existing.ts)) {
    throw new TableServiceError(
      412,
      'UpdateConditionNotSatisfied',
      'The update condition specified in the request was not satisfied.',
    );
  }
}

function checkKeys(pk: string, rk: string): void {
  for (const [name, value] of [
    ['PartitionKey', pk],
    ['RowKey', rk],
  ] as const) {
    if (value.length > MAX_KEY_CHARS)
      throw new TableServiceError(400, 'KeyValueTooLarge', `The ${name} is longer than ${MAX_KEY_CHARS} characters.`);
    if (forbiddenKeyChars.test(value)) {
      throw new TableServiceError(
        400,
        'InvalidInput',
        `The ${name} ${JSON.stringify(value)} contains a character the Table service forbids in keys (/ \\ # ? or a control character).`,
      );
    }
  }
}

/** Merge: the new properties (and their annotations) win, the others stay. */
function mergeProps(old: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out = { ...old };
  for (const name of Object.keys(update)) {
    if (name.endsWith('@odata.type')) continue;
    delete out[`${name}@odata.type`];
    out[name] = update[name];
    if (update[`${name}@odata.type`] !== undefined) out[`${name}@odata.type`] = update[`${name}@odata.type`];
  }
  return out;
}

function checkProps(props: Record<string, unknown>): string {
  let count = 0;
  for (const [name, value] of Object.entries(props)) {
    if (name.endsWith('@odata.type')) continue;
    count++;
    if (typeof value === 'string' && value.length > MAX_STRING_CHARS) {
      throw new TableServiceError(
        400,
        'PropertyValueTooLarge',
        `The property ${name} holds ${value.length} characters; the Table service allows ${MAX_STRING_CHARS} (64 KiB).`,
      );
    }
  }
  if (count > MAX_CUSTOM_PROPERTIES)
    throw new TableServiceError(
      400,
      'TooManyProperties',
      `The entity has ${count} properties; the Table service allows ${MAX_CUSTOM_PROPERTIES}.`,
    );
  const text = JSON.stringify(props);
  if (Buffer.byteLength(text, 'utf8') > MAX_ENTITY_BYTES)
    throw new TableServiceError(400, 'EntityTooLarge', 'The entity is larger than the 1 MiB the Table service allows.');
  return text;
}

/**
 * The custom properties of a request body: keys, Timestamp and odata.* metadata removed, null values dropped (the
 * service stores no nulls), each value checked against its annotation. 400 InvalidInput names a bad property.
 */
export function propsOfBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('odata.') || name === 'PartitionKey' || name === 'RowKey' || name === 'Timestamp') continue;
    if (name.endsWith('@odata.type')) continue;
    if (value === null || value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new TableServiceError(
        400,
        'PropertyNameInvalid',
        `The property name ${JSON.stringify(name)} is invalid: expected letters, digits and _ starting with a letter or _.`,
      );
    const annotation = body[`${name}@odata.type`];
    if (
      annotation !== undefined &&
      ![
        'Edm.Binary',
        'Edm.Boolean',
        'Edm.DateTime',
        'Edm.Double',
        'Edm.Guid',
        'Edm.Int32',
        'Edm.Int64',
        'Edm.String',
      ].includes(String(annotation))
    ) {
      throw new TableServiceError(
        400,
        'InvalidInput',
        `The property ${name} has an unknown type ${JSON.stringify(annotation)}.`,
      );
    }
    if (typeof value === 'object')
      throw new TableServiceError(
        400,
        'InvalidInput',
        `The property ${name} holds an object or array; the Table service stores only primitive values.`,
      );
    if (annotation !== undefined && edmOf(value, annotation) === undefined) {
      throw new TableServiceError(
        400,
        'InvalidInput',
        `The property ${name} is not a valid ${String(annotation)}: ${JSON.stringify(value)}.`,
      );
    }
    out[name] = canonical(value, annotation);
    if (annotation !== undefined) out[`${name}@odata.type`] = annotation;
  }
  return out;
}

/** Numbers and booleans sent as text (`{ type: 'Double', value: '2' }`) are stored, and returned, as JSON numbers and booleans, as the service does. */
function canonical(value: unknown, annotation: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (annotation === 'Edm.Double') {
    const n = Number(value);
    // NaN and the infinities have no JSON number: the service keeps them as text.
    return Number.isFinite(n) ? n : value;
  }
  if (annotation === 'Edm.Int32') return Number(value);
  if (annotation === 'Edm.Boolean') return value === 'true';
  return value;
}
