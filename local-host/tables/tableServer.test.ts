import { request } from 'node:http';

import { odata, type RestError, TableClient, TableServiceClient, type TransactionAction } from '@azure/data-tables';

import { devAccountKey, devAccountName } from '../azurite/startAzurite';
import { type RunningTableServer, startTableServer } from './tableServer';

// The wire details the storage contract suites do not reach, through the real @azure/data-tables client.
let server: RunningTableServer;
let connectionString: string;
let n = 0;

beforeAll(async () => {
  server = await startTableServer({ file: ':memory:', port: 0 });
  connectionString = `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${server.tableUrl};`;
});
afterAll(async () => {
  await server?.stop();
});

async function freshTable(): Promise<TableClient> {
  const client = TableClient.fromConnectionString(connectionString, `t${++n}x${Date.now()}`, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  return client;
}

const restError = async (p: Promise<unknown>): Promise<{ statusCode?: number; code?: string }> => {
  try {
    await p;
  } catch (err) {
    // Single requests carry the service's code in x-ms-error-code (RestError.code is set only for transactions).
    const e = err as RestError;
    return { statusCode: e.statusCode, code: e.code ?? e.response?.headers.get('x-ms-error-code') };
  }
  throw new Error('expected the request to fail, it succeeded');
};

describe('embedded table store through @azure/data-tables', () => {
  it('creates a table once (the SDK takes 409 TableAlreadyExists as success) and lists and deletes tables, names case-insensitive', async () => {
    const client = await freshTable();
    await client.createTable();
    const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
    const lower = TableClient.fromConnectionString(connectionString, client.tableName.toUpperCase(), {
      allowInsecureConnection: true,
    });
    await lower.upsertEntity({ partitionKey: 'p', rowKey: 'r' });
    expect((await client.getEntity('p', 'r')).rowKey).toBe('r');
    const names: string[] = [];
    for await (const t of service.listTables({ queryOptions: { filter: odata`TableName eq ${client.tableName}` } }))
      names.push(t.name!);
    expect(names).toEqual([client.tableName]);
    await service.deleteTable(client.tableName);
    expect(await restError(client.getEntity('p', 'r'))).toEqual({ statusCode: 404, code: 'TableNotFound' });
  });

  it('round-trips every EDM type and keys with quotes, slashes-free punctuation and non-Latin text', async () => {
    const client = await freshTable();
    const entity = {
      partitionKey: "it's a ( key ), é 漢字 😀",
      rowKey: "r'1",
      text: 'hello',
      int: 42,
      double: 1.5,
      big: 9007199254740993n,
      when: new Date('2024-05-01T10:00:00.123Z'),
      flag: true,
      bytes: new Uint8Array([0, 1, 254, 255]),
      id: { type: 'Guid' as const, value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      integralDouble: { type: 'Double' as const, value: '2' },
    };
    await client.createEntity(entity);
    const got = await client.getEntity<Record<string, unknown>>(entity.partitionKey, entity.rowKey);
    expect(got).toMatchObject({
      partitionKey: entity.partitionKey,
      rowKey: entity.rowKey,
      text: 'hello',
      int: 42,
      double: 1.5,
      big: 9007199254740993n,
      flag: true,
      id: entity.id,
      integralDouble: 2,
    });
    expect((got.when as Date).toISOString()).toBe('2024-05-01T10:00:00.123Z');
    expect(Array.from(got.bytes as Uint8Array)).toEqual([0, 1, 254, 255]);
    expect(got.etag).toMatch(/^W\/"datetime'.+'"$/);
    expect(got.timestamp).toBeDefined();
    const found: string[] = [];
    const filter = `${odata`PartitionKey eq ${entity.partitionKey}`} and big gt 9007199254740992L and ${odata`when ge ${new Date('2024-05-01T10:00:00Z')}`} and flag eq true`;
    for await (const e of client.listEntities({ queryOptions: { filter } })) {
      found.push(e.rowKey!);
    }
    expect(found).toEqual(["r'1"]);
  });

  it('answers 409 EntityAlreadyExists, 404 ResourceNotFound, and 412 for a stale ETag', async () => {
    const client = await freshTable();
    await client.createEntity({ partitionKey: 'p', rowKey: 'r', v: 1 });
    expect(await restError(client.createEntity({ partitionKey: 'p', rowKey: 'r', v: 2 }))).toEqual({
      statusCode: 409,
      code: 'EntityAlreadyExists',
    });
    expect(await restError(client.getEntity('p', 'missing'))).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    expect(await restError(client.deleteEntity('p', 'missing'))).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    expect(await restError(client.updateEntity({ partitionKey: 'p', rowKey: 'missing', v: 1 }))).toEqual({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    const first = await client.getEntity('p', 'r');
    await client.updateEntity({ partitionKey: 'p', rowKey: 'r', v: 2 }, 'Replace', { etag: first.etag });
    expect(
      await restError(client.updateEntity({ partitionKey: 'p', rowKey: 'r', v: 3 }, 'Replace', { etag: first.etag })),
    ).toEqual({ statusCode: 412, code: 'UpdateConditionNotSatisfied' });
    expect(await restError(client.deleteEntity('p', 'r', { etag: first.etag }))).toEqual({
      statusCode: 412,
      code: 'UpdateConditionNotSatisfied',
    });
    expect((await client.getEntity('p', 'r')).v).toBe(2);
  });

  it('merges (keeps other properties) and replaces (drops them), upsert and update alike', async () => {
    const client = await freshTable();
    await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', a: 1, b: 'x' }, 'Merge');
    await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', b: 'y', c: true }, 'Merge');
    expect(await client.getEntity('p', 'r')).toMatchObject({ a: 1, b: 'y', c: true });
    await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', d: 4 }, 'Replace');
    const replaced = await client.getEntity<Record<string, unknown>>('p', 'r');
    expect([replaced.a, replaced.b, replaced.c, replaced.d]).toEqual([undefined, undefined, undefined, 4]);
  });

  it('pages a filtered query with $top and continuation in key order, and returns only $select-ed properties', async () => {
    const client = await freshTable();
    for (const pk of ['a', 'b']) {
      const actions: TransactionAction[] = Array.from({ length: 25 }, (_, i) => [
        'upsert',
        { partitionKey: pk, rowKey: String(i).padStart(2, '0'), i, odd: i % 2 === 1 },
      ]);
      await client.submitTransaction(actions);
    }
    const pages: string[][] = [];
    const iterator = client
      .listEntities({ queryOptions: { filter: 'odd eq true and i ge 3' } })
      .byPage({ maxPageSize: 7 });
    for await (const page of iterator) pages.push(page.map((e) => `${e.partitionKey}${e.rowKey}`));
    const expected = ['a', 'b'].flatMap((pk) =>
      Array.from({ length: 25 }, (_, i) => i)
        .filter((i) => i % 2 === 1 && i >= 3)
        .map((i) => `${pk}${String(i).padStart(2, '0')}`),
    );
    expect(pages.flat()).toEqual(expected);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 1]);
    const selected = await client
      .listEntities({ queryOptions: { filter: "PartitionKey eq 'a' and RowKey eq '05'", select: ['i'] } })
      .next();
    expect(selected.value).toEqual({ etag: expect.any(String), i: 5 });
  });

  it('runs a transaction atomically: one failing operation writes nothing and names its code', async () => {
    const client = await freshTable();
    await client.createEntity({ partitionKey: 'p', rowKey: 'taken' });
    const failure = await restError(
      client.submitTransaction([
        ['create', { partitionKey: 'p', rowKey: 'new1' }],
        ['upsert', { partitionKey: 'p', rowKey: 'new2', v: 1 }, 'Replace'],
        ['create', { partitionKey: 'p', rowKey: 'taken' }],
      ]),
    );
    expect(failure).toEqual({ statusCode: 409, code: 'EntityAlreadyExists' });
    const rows: string[] = [];
    for await (const e of client.listEntities()) rows.push(e.rowKey!);
    expect(rows).toEqual(['taken']);
    const ok = await client.submitTransaction([
      ['create', { partitionKey: 'p', rowKey: 'new1' }],
      ['update', { partitionKey: 'p', rowKey: 'taken', v: 2 }, 'Merge'],
    ]);
    expect(ok.status).toBe(202);
    expect(ok.subResponses.map((r) => r.status)).toEqual([204, 204]);
    expect((await client.getEntity('p', 'taken')).v).toBe(2);
  });

  it('refuses a transaction over two partitions or with a row twice', async () => {
    const client = await freshTable();
    // The SDK itself refuses two partitions before sending.
    await expect(
      client.submitTransaction([
        ['create', { partitionKey: 'p', rowKey: 'r' }],
        ['create', { partitionKey: 'q', rowKey: 'r' }],
      ]),
    ).rejects.toThrow(/same partitionKey/);
    expect(
      await restError(
        client.submitTransaction([
          ['upsert', { partitionKey: 'p', rowKey: 'r' }],
          ['upsert', { partitionKey: 'p', rowKey: 'r' }],
        ]),
      ),
    ).toEqual({ statusCode: 400, code: 'InvalidDuplicateRow' });
  });

  it('rejects bad filters and oversized properties with 400 and the service codes', async () => {
    const client = await freshTable();
    expect(await restError(client.listEntities({ queryOptions: { filter: 'a eq' } }).next())).toEqual({
      statusCode: 400,
      code: 'InvalidInput',
    });
    expect(
      await restError(client.upsertEntity({ partitionKey: 'p', rowKey: 'r', big: 'x'.repeat(32 * 1024 + 1) })),
    ).toEqual({ statusCode: 400, code: 'PropertyValueTooLarge' });
    expect(await restError(client.upsertEntity({ partitionKey: 'a/b', rowKey: 'r' }))).toEqual({
      statusCode: 400,
      code: 'InvalidInput',
    });
  });

  it('refuses requests without credentials and from non-loopback Host names', async () => {
    const noAuth = await fetch(`${server.tableUrl}/Tables`);
    expect(noAuth.status).toBe(403);
    expect(noAuth.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
    expect(
      ((await noAuth.json()) as { 'odata.error': { message: { value: string } } })['odata.error'].message.value,
    ).toMatch(/Expected an Authorization header/);
    // A DNS-rebound page would send its own name as Host.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.tableUrl}/Tables`,
        { headers: { host: 'evil.example', authorization: 'SharedKeyLite x:y' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.once('error', reject);
      req.end();
    });
    expect(rebound).toBe(421);
  });
});
