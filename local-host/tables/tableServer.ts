import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type BatchSubResponse, BatchSyntaxError, formatBatchResponse, parseBatch } from './batch';
import { evaluateFilter, type FilterNode, FilterSyntaxError, parseFilter } from './odataFilter';
import { etagOf, propsOfBody, type ResumeAt, SqliteTables, type StoredEntity, TableServiceError } from './sqliteTables';

/**
 * An embedded Azure Table service for the local host: the subset of the Table REST API that @azure/data-tables uses
 * (tables, entities, queries with $filter/$top/$select and continuation, entity group transactions), over SQLite.
 *
 * Local only: it listens on 127.0.0.1, answers only to loopback Host names, and accepts any SharedKey/SharedKeyLite
 * or SAS request of any account without verifying the signature (the development account's key is public anyway);
 * a request with no credential at all is refused, so a web page cannot write to it with a plain form POST.
 */
export interface StartTableServerOptions {
  /** SQLite file (created if missing), or ':memory:'. */
  file: string;
  /** 0 picks a free port; default 10002 (the emulator's table port). */
  port?: number;
}

export interface RunningTableServer {
  port: number;
  /** The account URL, e.g. http://127.0.0.1:10002/devstoreaccount1. */
  tableUrl: string;
  /** Requests answered so far (for benchmarks and tests). */
  requests(): number;
  stop(): Promise<void>;
}

const API_VERSION = '2019-02-02';
const MAX_BODY_BYTES = 4 * 1024 * 1024 + 64 * 1024;
const MAX_PAGE = 1000;
const loopbackHost = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i;

type Meta = 'none' | 'minimal';

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  421: 'Misdirected Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

const jsonType = (meta: Meta): string =>
  `application/json;odata=${meta === 'none' ? 'nometadata' : 'minimalmetadata'};streaming=true;charset=utf-8`;

export async function startTableServer(options: StartTableServerOptions): Promise<RunningTableServer> {
  const tables = new SqliteTables(options.file);
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    readBody(req)
      .then((body) => send(res, handle(tables, req, body, `http://${req.headers.host ?? '127.0.0.1'}`)))
      .catch((err: unknown) => send(res, errorReply(err, 'minimal')));
  });
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 10002, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    tables.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    port,
    tableUrl: `http://127.0.0.1:${port}/devstoreaccount1`,
    requests: () => count,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => {
          tables.close();
          resolve();
        });
        server.closeAllConnections();
      })),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new TableServiceError(
            413,
            'RequestBodyTooLarge',
            `The request body is larger than the ${MAX_BODY_BYTES} bytes the Table service accepts.`,
          ),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': API_VERSION,
    date: new Date().toUTCString(),
    ...reply.headers,
  };
  if (reply.body !== undefined) headers['content-length'] = String(Buffer.byteLength(reply.body, 'utf8'));
  res.writeHead(reply.status, statusText[reply.status] ?? '', headers);
  res.end(reply.body);
}

function errorReply(err: unknown, meta: Meta): Reply {
  const e =
    err instanceof TableServiceError
      ? err
      : err instanceof FilterSyntaxError || err instanceof BatchSyntaxError
        ? new TableServiceError(400, 'InvalidInput', err.message)
        : new TableServiceError(
            500,
            'InternalError',
            `The embedded table store failed: ${err instanceof Error ? err.message : String(err)}`,
          );
  return {
    status: e.status,
    headers: { 'content-type': jsonType(meta), 'x-ms-error-code': e.code },
    body: JSON.stringify({ 'odata.error': { code: e.code, message: { lang: 'en-US', value: e.message } } }),
  };
}

function metaOf(accept: string | undefined, format: string | null): Meta {
  return /odata=nometadata/i.test(format ?? accept ?? '') ? 'none' : 'minimal';
}

/** What a request path addresses, after the account segment. */
type Target =
  | { kind: 'tables'; name?: string }
  | { kind: 'batch' }
  | { kind: 'entities'; table: string; keys?: { pk: string; rk: string }; parens: boolean };

function targetOf(pathname: string): { account: string; target: Target } {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    throw new TableServiceError(
      400,
      'InvalidUri',
      `The request path ${JSON.stringify(pathname)} is not valid percent-encoding.`,
    );
  }
  const m = /^\/([a-z0-9]+)\/(.*)$/s.exec(path);
  if (!m)
    throw new TableServiceError(
      400,
      'InvalidUri',
      `Expected a path /{account}/{resource}, found ${JSON.stringify(path)}.`,
    );
  const rest = m[2]!;
  if (rest === '$batch') return { account: m[1]!, target: { kind: 'batch' } };
  const r = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?\/?$/s.exec(rest);
  if (!r)
    throw new TableServiceError(
      400,
      'InvalidUri',
      `Expected Tables, $batch or a table resource after the account, found ${JSON.stringify(rest)}.`,
    );
  const name = r[1]!;
  const args = r[2];
  if (name === 'Tables') {
    if (args === undefined || args === '') return { account: m[1]!, target: { kind: 'tables' } };
    const q = /^'((?:[^']|'')*)'$/.exec(args);
    if (!q) throw new TableServiceError(400, 'InvalidUri', `Expected Tables('name'), found ${JSON.stringify(rest)}.`);
    return { account: m[1]!, target: { kind: 'tables', name: q[1]!.replace(/''/g, "'") } };
  }
  if (args === undefined || args === '')
    return { account: m[1]!, target: { kind: 'entities', table: name, parens: args !== undefined } };
  return { account: m[1]!, target: { kind: 'entities', table: name, keys: parseKeys(args), parens: true } };
}

/** `PartitionKey='a''b',RowKey='c'` (quotes doubled inside values) to its two keys. */
function parseKeys(args: string): { pk: string; rk: string } {
  const found: Record<string, string> = {};
  let i = 0;
  while (i < args.length) {
    const eq = args.indexOf('=', i);
    if (eq < 0 || args[eq + 1] !== "'") break;
    const name = args.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (;;) {
      if (j >= args.length)
        throw new TableServiceError(400, 'InvalidUri', `Expected a closing quote in the keys ${JSON.stringify(args)}.`);
      if (args[j] === "'") {
        if (args[j + 1] === "'") {
          value += "'";
          j += 2;
          continue;
        }
        j++;
        break;
      }
      value += args[j];
      j++;
    }
    found[name] = value;
    if (args[j] === ',') j++;
    i = j;
  }
  if (found.PartitionKey === undefined || found.RowKey === undefined || i < args.length) {
    throw new TableServiceError(400, 'InvalidUri', `Expected (PartitionKey='...',RowKey='...'), found (${args}).`);
  }
  return { pk: found.PartitionKey, rk: found.RowKey };
}

function handle(tables: SqliteTables, req: IncomingMessage, body: string, origin: string): Reply {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const meta = metaOf(req.headers.accept, url.searchParams.get('$format'));
  try {
    const host = req.headers.host ?? 'localhost';
    if (!loopbackHost.test(host))
      throw new TableServiceError(
        421,
        'InvalidHostName',
        `The embedded table store answers only to loopback names (localhost, 127.x.y.z, [::1]); found Host ${JSON.stringify(host)}.`,
      );
    if (!req.headers.authorization && !url.searchParams.has('sig')) {
      throw new TableServiceError(
        403,
        'AuthenticationFailed',
        'Expected an Authorization header (SharedKey/SharedKeyLite) or a SAS token; found neither.',
      );
    }
    const { account, target } = targetOf(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    const accountUrl = `${origin}/${account}`;
    if (target.kind === 'tables')
      return tableOperation(tables, method, target.name, body, url, req.headers, meta, accountUrl);
    if (target.kind === 'batch') {
      if (method !== 'POST')
        throw new TableServiceError(405, 'UnsupportedHttpVerb', `$batch expects POST, found ${method}.`);
      return runBatch(tables, body, req.headers['content-type'], meta, accountUrl);
    }
    return entityOperation(tables, method, target, body, url.searchParams, lowerHeaders(req.headers), meta, accountUrl);
  } catch (err) {
    return errorReply(err, meta);
  }
}

function lowerHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function parseJsonObject(body: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new TableServiceError(
      400,
      'InvalidInput',
      `${what}: expected a JSON object body, found ${JSON.stringify(body.slice(0, 80))}.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TableServiceError(400, 'InvalidInput', `${what}: expected a JSON object body.`);
  return value as Record<string, unknown>;
}

function tableOperation(
  tables: SqliteTables,
  method: string,
  name: string | undefined,
  body: string,
  url: URL,
  headers: IncomingMessage['headers'],
  meta: Meta,
  accountUrl: string,
): Reply {
  if (method === 'POST' && name === undefined) {
    const tableName = parseJsonObject(body, 'Create table').TableName;
    if (typeof tableName !== 'string')
      throw new TableServiceError(400, 'InvalidInput', 'Create table: expected a string TableName in the body.');
    const result = tables.createTable(tableName);
    if (!result.created) throw new TableServiceError(409, 'TableAlreadyExists', 'The table specified already exists.');
    if (/return-no-content/i.test(String(headers.prefer ?? '')))
      return { status: 204, headers: { 'preference-applied': 'return-no-content' } };
    const payload =
      meta === 'none'
        ? { TableName: result.name }
        : { 'odata.metadata': `${accountUrl}/$metadata#Tables/@Element`, TableName: result.name };
    return {
      status: 201,
      headers: { 'content-type': jsonType(meta), 'preference-applied': 'return-content' },
      body: JSON.stringify(payload),
    };
  }
  if (method === 'DELETE' && name !== undefined) {
    tables.deleteTable(name);
    return { status: 204, headers: {} };
  }
  if (method === 'GET' && name === undefined) {
    const filterText = url.searchParams.get('$filter');
    const filter = filterText ? parseFilter(filterText) : undefined;
    const names = tables
      .listTables()
      .filter(
        (n) => !filter || evaluateFilter(filter, (p) => (p === 'TableName' ? { type: 'String', value: n } : undefined)),
      );
    const value = names.map((n) => ({ TableName: n }));
    const payload = meta === 'none' ? { value } : { 'odata.metadata': `${accountUrl}/$metadata#Tables`, value };
    return { status: 200, headers: { 'content-type': jsonType(meta) }, body: JSON.stringify(payload) };
  }
  throw new TableServiceError(
    405,
    'UnsupportedHttpVerb',
    `${method} is not supported on Tables${name === undefined ? '' : `('${name}')`}.`,
  );
}

function entityOperation(
  tables: SqliteTables,
  method: string,
  target: Extract<Target, { kind: 'entities' }>,
  body: string,
  query: URLSearchParams,
  headers: Record<string, string>,
  meta: Meta,
  accountUrl: string,
): Reply {
  const { table, keys } = target;
  if (method === 'GET' && !keys) return queryEntities(tables, table, query, meta, accountUrl);
  if (method === 'GET' && keys) {
    const row = tables.get(table, keys.pk, keys.rk);
    if (!row) throw new TableServiceError(404, 'ResourceNotFound', 'The specified resource does not exist.');
    const select = selectOf(query);
    const payload = entityJson(
      row,
      meta,
      select,
      meta === 'none' ? undefined : `${accountUrl}/$metadata#${table}/@Element`,
    );
    return { status: 200, headers: { 'content-type': jsonType(meta), etag: etagOf(row.ts) }, body: payload };
  }
  if (method === 'POST' && !keys && !target.parens) {
    const entity = parseJsonObject(body, 'Insert entity');
    const pk = entity.PartitionKey;
    const rk = entity.RowKey;
    if (typeof pk !== 'string' || typeof rk !== 'string')
      throw new TableServiceError(
        400,
        'PropertiesNeedValue',
        'Insert entity: expected string PartitionKey and RowKey in the body.',
      );
    const row = tables.insert(table, pk, rk, propsOfBody(entity));
    const location = `${accountUrl}/${table}(PartitionKey='${encodeURIComponent(pk.replace(/'/g, "''"))}',RowKey='${encodeURIComponent(rk.replace(/'/g, "''"))}')`;
    if (/return-no-content/i.test(headers.prefer ?? '')) {
      return {
        status: 204,
        headers: { etag: etagOf(row.ts), location, dataserviceid: location, 'preference-applied': 'return-no-content' },
      };
    }
    const payload = entityJson(
      row,
      meta,
      undefined,
      meta === 'none' ? undefined : `${accountUrl}/$metadata#${table}/@Element`,
    );
    return {
      status: 201,
      headers: {
        'content-type': jsonType(meta),
        etag: etagOf(row.ts),
        location,
        'preference-applied': 'return-content',
      },
      body: payload,
    };
  }
  if ((method === 'PUT' || method === 'PATCH' || method === 'MERGE') && keys) {
    const entity = parseJsonObject(body, method === 'PUT' ? 'Update entity' : 'Merge entity');
    for (const [name, value] of [
      ['PartitionKey', keys.pk],
      ['RowKey', keys.rk],
    ] as const) {
      if (entity[name] !== undefined && entity[name] !== value) {
        throw new TableServiceError(
          400,
          'InvalidInput',
          `The body's ${name} ${JSON.stringify(entity[name])} differs from the one in the URL ${JSON.stringify(value)}.`,
        );
      }
    }
    const row = tables.update(
      table,
      keys.pk,
      keys.rk,
      propsOfBody(entity),
      method === 'PUT' ? 'replace' : 'merge',
      headers['if-match'],
    );
    return { status: 204, headers: { etag: etagOf(row.ts) } };
  }
  if (method === 'DELETE' && keys) {
    const ifMatch = headers['if-match'];
    if (ifMatch === undefined)
      throw new TableServiceError(
        400,
        'MissingRequiredHeader',
        'Delete entity: expected an If-Match header (an ETag or *).',
      );
    tables.delete(table, keys.pk, keys.rk, ifMatch);
    return { status: 204, headers: {} };
  }
  throw new TableServiceError(
    405,
    'UnsupportedHttpVerb',
    `${method} is not supported on ${table}${keys ? '(keys)' : target.parens ? '()' : ''}.`,
  );
}

function selectOf(query: URLSearchParams): Set<string> | undefined {
  const text = query.get('$select');
  if (!text) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.length > 0 ? new Set(names) : undefined;
}

const continuationPrefix = '1!';
/** Keys in continuation headers as base64url, so any key (non-Latin-1 included) fits an HTTP header. */
const encodeNext = (key: string): string => continuationPrefix + Buffer.from(key, 'utf8').toString('base64url');
const decodeNext = (token: string): string =>
  token.startsWith(continuationPrefix)
    ? Buffer.from(token.slice(continuationPrefix.length), 'base64url').toString('utf8')
    : token;

function queryEntities(
  tables: SqliteTables,
  table: string,
  query: URLSearchParams,
  meta: Meta,
  accountUrl: string,
): Reply {
  const filterText = query.get('$filter');
  const filter: FilterNode | undefined = filterText ? parseFilter(filterText) : undefined;
  const topText = query.get('$top');
  let top = MAX_PAGE;
  if (topText !== null) {
    top = Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE)
      throw new TableServiceError(
        400,
        'InvalidInput',
        `$top: expected a whole number from 1 to ${MAX_PAGE}, found ${JSON.stringify(topText)}.`,
      );
  }
  const nextPk = query.get('NextPartitionKey');
  const nextRk = query.get('NextRowKey');
  const resume: ResumeAt | undefined = nextPk
    ? { pk: decodeNext(nextPk), ...(nextRk ? { rk: decodeNext(nextRk) } : {}) }
    : undefined;
  const page = tables.query(table, filter, top, resume);
  const select = selectOf(query);
  const entities = page.rows.map((row) => entityJson(row, meta, select));
  const metadata = meta === 'none' ? '' : `"odata.metadata":${JSON.stringify(`${accountUrl}/$metadata#${table}`)},`;
  const headers: Record<string, string> = { 'content-type': jsonType(meta) };
  if (page.next) {
    headers['x-ms-continuation-NextPartitionKey'] = encodeNext(page.next.pk);
    headers['x-ms-continuation-NextRowKey'] = encodeNext(page.next.rk);
  }
  return { status: 200, headers, body: `{${metadata}"value":[${entities.join(',')}]}` };
}

/**
 * An entity as the service returns it: odata.etag (minimal metadata), keys, Timestamp, then the stored properties.
 * Without $select or metadata stripping, the stored JSON is spliced in as is (no parse).
 */
function entityJson(row: StoredEntity, meta: Meta, select: Set<string> | undefined, metadataUrl?: string): string {
  const head: string[] = [];
  if (metadataUrl) head.push(`"odata.metadata":${JSON.stringify(metadataUrl)}`);
  if (meta === 'minimal') head.push(`"odata.etag":${JSON.stringify(etagOf(row.ts))}`);
  const want = (name: string): boolean => !select || select.has(name);
  if (want('PartitionKey')) head.push(`"PartitionKey":${JSON.stringify(row.pk)}`);
  if (want('RowKey')) head.push(`"RowKey":${JSON.stringify(row.rk)}`);
  if (want('Timestamp'))
    head.push(`"Timestamp":"${row.ts}"`, ...(meta === 'minimal' ? ['"Timestamp@odata.type":"Edm.DateTime"'] : []));
  if (!select && meta === 'minimal') {
    return row.props.length > 2 ? `{${head.join(',')},${row.props.slice(1)}` : `{${head.join(',')}}`;
  }
  const props = JSON.parse(row.props) as Record<string, unknown>;
  for (const [name, value] of Object.entries(props)) {
    if (name.endsWith('@odata.type')) {
      if (meta === 'minimal' && want(name.slice(0, -'@odata.type'.length)))
        head.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
      continue;
    }
    if (want(name)) head.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${head.join(',')}}`;
}

/** Thrown inside the batch transaction to roll it back with the failing operation's index. */
class BatchFailure extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super('batch operation failed');
  }
}

const MAX_BATCH_OPERATIONS = 100;

function runBatch(
  tables: SqliteTables,
  body: string,
  contentType: string | undefined,
  meta: Meta,
  accountUrl: string,
): Reply {
  const requests = parseBatch(body, contentType);
  if (requests.length === 0)
    throw new TableServiceError(400, 'InvalidInput', '$batch: expected at least one operation in the changeset.');
  if (requests.length > MAX_BATCH_OPERATIONS)
    throw new TableServiceError(
      400,
      'InvalidInput',
      `$batch: expected at most ${MAX_BATCH_OPERATIONS} operations, found ${requests.length}.`,
    );
  const failed = (index: number, err: unknown): Reply => {
    const reply = errorReply(err, meta);
    const parsed = JSON.parse(reply.body!) as { 'odata.error': { code: string; message: { value: string } } };
    parsed['odata.error'].message.value = `${index}:${parsed['odata.error'].message.value}`;
    const sub: BatchSubResponse = {
      status: reply.status,
      statusText: statusText[reply.status] ?? '',
      headers: { 'Content-Type': jsonType(meta), DataServiceVersion: '3.0;' },
      body: JSON.stringify(parsed),
    };
    const out = formatBatchResponse([sub]);
    return { status: 202, headers: { 'content-type': out.contentType }, body: out.body };
  };
  // Parse every operation first: keys, one partition, no row twice (the service refuses such a changeset).
  const ops: {
    method: string;
    target: Extract<Target, { kind: 'entities' }>;
    query: URLSearchParams;
    request: (typeof requests)[number];
  }[] = [];
  const rows = new Set<string>();
  let partition: string | undefined;
  for (const [index, request] of requests.entries()) {
    try {
      const url = new URL(request.url, 'http://127.0.0.1');
      const { target } = targetOf(url.pathname);
      if (target.kind !== 'entities')
        throw new TableServiceError(
          400,
          'InvalidInput',
          `$batch operation ${index}: expected an entity operation, found ${request.method} ${url.pathname}.`,
        );
      let keys = target.keys;
      if (!keys && request.method === 'POST') {
        const entity = parseJsonObject(request.body, `$batch operation ${index}`);
        if (typeof entity.PartitionKey === 'string' && typeof entity.RowKey === 'string')
          keys = { pk: entity.PartitionKey, rk: entity.RowKey };
      }
      if (!keys)
        throw new TableServiceError(
          400,
          'InvalidInput',
          `$batch operation ${index}: expected the entity's PartitionKey and RowKey.`,
        );
      if (request.method === 'GET')
        throw new TableServiceError(
          501,
          'NotImplemented',
          '$batch: queries inside a changeset are not supported by the embedded table store.',
        );
      partition ??= keys.pk;
      if (keys.pk !== partition)
        throw new TableServiceError(
          400,
          'CommandsInBatchActOnDifferentPartitions',
          'All commands in a batch must operate on the same partition.',
        );
      const rowId = `${target.table.toLowerCase()}\n${keys.rk}`;
      if (rows.has(rowId))
        throw new TableServiceError(
          400,
          'InvalidDuplicateRow',
          `The batch request contains multiple changes with the same row key ${JSON.stringify(keys.rk)}.`,
        );
      rows.add(rowId);
      ops.push({ method: request.method, target, query: url.searchParams, request });
    } catch (err) {
      return failed(index, err);
    }
  }
  let replies: Reply[];
  try {
    replies = tables.transaction(() =>
      ops.map((op, index) => {
        try {
          return entityOperation(
            tables,
            op.method,
            op.target,
            op.request.body,
            op.query,
            op.request.headers,
            meta,
            accountUrl,
          );
        } catch (err) {
          throw new BatchFailure(index, err);
        }
      }),
    );
  } catch (err) {
    if (err instanceof BatchFailure) return failed(err.index, err.cause);
    throw err;
  }
  // No bodies on success: the SDK reads any JSON in a sub-response as an error.
  const out = formatBatchResponse(
    replies.map((r) => ({
      status: r.status === 201 ? 204 : r.status,
      statusText: statusText[r.status === 201 ? 204 : r.status] ?? '',
      headers: {
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
        DataServiceVersion: '1.0;',
        ...(r.headers.etag ? { ETag: r.headers.etag } : {}),
      },
    })),
  );
  return { status: 202, headers: { 'content-type': out.contentType }, body: out.body };
}
