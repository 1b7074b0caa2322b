import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import { AzureNamedKeyCredential, TableClient, type TransactionAction } from '@azure/data-tables';
import fc from 'fast-check';

import { type PlainEntity, submitUpsertTransaction, toWireEntity } from './upsertTransaction';

const OK_BODY =
  '--batchresponse_r\r\nContent-Type: multipart/mixed; boundary=changesetresponse_c\r\n\r\n--changesetresponse_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nDataServiceVersion: 1.0;\r\n\r\n\r\n--changesetresponse_c--\r\n--batchresponse_r--\r\n';

/** An HTTP client that records each request and answers with `reply` (a successful transaction by default). */
function recording(
  reply: (request: PipelineRequest) => { status: number; body: string } = () => ({ status: 202, body: OK_BODY }),
) {
  const requests: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request): Promise<PipelineResponse> => {
      requests.push(request);
      const { status, body } = reply(request);
      return {
        request,
        status,
        headers: createHttpHeaders({ 'content-type': 'multipart/mixed; boundary=batchresponse_r' }),
        bodyAsText: body,
      };
    },
  };
  return { requests, httpClient };
}

const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const clientKinds = {
  'shared key': (httpClient: HttpClient, table: string) =>
    new TableClient(
      'http://127.0.0.1:10002/devstoreaccount1',
      table,
      new AzureNamedKeyCredential('devstoreaccount1', KEY),
      {
        httpClient,
        allowInsecureConnection: true,
      },
    ),
  'managed identity (a token credential)': (httpClient: HttpClient, table: string) =>
    new TableClient(
      'https://acct.table.core.windows.net',
      table,
      { getToken: async () => ({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      { httpClient },
    ),
  'SAS in the URL': (httpClient: HttpClient, table: string) =>
    new TableClient('https://acct.table.core.windows.net/?sv=2019-02-02&sig=abc%3D&se=2030-01-01', table, {
      httpClient,
    }),
};

/** What must be equal between two transaction requests: everything but the random boundaries and per-request headers. */
function comparable(request: PipelineRequest) {
  const body = String(request.body);
  const batch = /--(batch_[0-9a-f-]+)/.exec(body)?.[1] ?? 'none';
  const changeset = /boundary=(changeset_[0-9a-f-]+)/.exec(body)?.[1] ?? 'none';
  const normalize = (s: string) => s.split(batch).join('BATCH').split(changeset).join('CHANGESET');
  const headers = Object.fromEntries(
    [...request.headers]
      .filter(([name]) => !['x-ms-date', 'x-ms-client-request-id', 'content-length'].includes(name.toLowerCase()))
      // A shared-key signature covers the date: its scheme and account are compared; a bearer token whole.
      .map(([name, value]) => [
        name,
        name === 'authorization' ? value.replace(/^(SharedKeyLite \w+):.*$/, '$1') : normalize(value),
      ]),
  );
  return {
    method: request.method,
    url: request.url,
    // The client's option, which the default HTTP client enforces (http refused unless allowed).
    allowInsecureConnection: request.allowInsecureConnection,
    headers,
    body: normalize(body),
  };
}

const key = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    "'",
    '%',
    ' ',
    '.',
    '-',
    '_',
    '~',
    '(',
    ')',
    '!',
    '*',
    'é',
    '€',
    '😀',
    '+',
    '&',
    '=',
    ':',
    '@',
    '$',
    ',',
  ),
  maxLength: 12,
});
const value = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ unit: 'binary' }),
);
const propertyName = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter((n) => !['partitionKey', 'rowKey', '__proto__'].includes(n));

describe('submitUpsertTransaction', () => {
  for (const [kind, makeClient] of Object.entries(clientKinds)) {
    it(`sends the same request as TableClient.submitTransaction, byte for byte but the boundaries (${kind}; Replace and Merge)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          key,
          fc.uniqueArray(fc.tuple(key, fc.dictionary(propertyName, value, { maxKeys: 5 })), {
            minLength: 1,
            maxLength: 6,
            selector: ([rowKey]) => rowKey,
          }),
          fc.constantFrom('Replace' as const, 'Merge' as const),
          fc.constantFrom('Windows', 'T1', 'a0b'),
          async (partitionKey, rows, mode, table) => {
            const entities: PlainEntity[] = rows.map(([rowKey, props]) => ({ partitionKey, rowKey, ...props }));
            const sdk = recording();
            await makeClient(sdk.httpClient, table).submitTransaction(
              entities.map((e): TransactionAction => ['upsert', e, mode]),
            );
            const ours = recording();
            await submitUpsertTransaction(
              makeClient(ours.httpClient, table),
              entities.map(toWireEntity),
              mode,
              ours.httpClient,
            );
            expect(ours.requests).toHaveLength(1);
            // Through the client's own pipeline: its credential signed the request.
            if (kind !== 'SAS in the URL')
              expect(ours.requests[0]?.headers.get('authorization')).toMatch(
                /^(Bearer token|SharedKeyLite devstoreaccount1:.+)$/,
              );
            expect(comparable(ours.requests[0] as PipelineRequest)).toEqual(
              comparable(sdk.requests[0] as PipelineRequest),
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('the entity JSON keeps the entity’s own property order, with the SDK’s wire names for its keys', () => {
    const wire = toWireEntity({
      a: 1,
      partitionKey: 'p',
      b: 'x',
      rowKey: 'r',
      etag: 'e',
      timestamp: 't',
      c: true,
      d: null,
      u: undefined,
    });
    expect(wire).toEqual({
      partitionKey: 'p',
      rowKey: 'r',
      json: '{"a":1,"PartitionKey":"p","b":"x","RowKey":"r","odata.etag":"e","Timestamp":"t","c":true,"d":null}',
    });
  });

  it('refuses values the SDK would annotate (objects, bigints) instead of sending them untyped', () => {
    const object = { partitionKey: 'p', rowKey: 'r', when: new Date(0) } as unknown as PlainEntity;
    const big = { partitionKey: 'p', rowKey: 'r', n: 1n } as unknown as PlainEntity;
    expect(() => toWireEntity(object)).toThrow(/expected plain property values .* found an object in "when"/);
    expect(() => toWireEntity(big)).toThrow(/found a bigint in "n"/);
  });

  it('refuses rows of two partitions in one transaction', async () => {
    const { httpClient, requests } = recording();
    const rows = [toWireEntity({ partitionKey: 'a', rowKey: '1' }), toWireEntity({ partitionKey: 'b', rowKey: '1' })];
    await expect(
      submitUpsertTransaction(clientKinds['shared key'](httpClient, 'T'), rows, 'Replace', httpClient),
    ).rejects.toThrow(/one PartitionKey per transaction, found "a" and "b"/);
    expect(requests).toHaveLength(0);
  });

  it('a sub-request the service rejected throws a RestError with its status and code, as the SDK does', async () => {
    const rejected =
      '--batchresponse_r\r\nContent-Type: multipart/mixed; boundary=changesetresponse_c\r\n\r\n--changesetresponse_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json;odata=minimalmetadata\r\n\r\n{"odata.error":{"code":"PropertyValueTooLarge","message":{"lang":"en-US","value":"0:The property value exceeds the maximum allowed size (64KB)."}}}\r\n--changesetresponse_c--\r\n--batchresponse_r--\r\n';
    for (const send of ['sdk', 'ours'] as const) {
      const { httpClient } = recording(() => ({ status: 202, body: rejected }));
      const client = clientKinds['shared key'](httpClient, 'T');
      const entity = { partitionKey: 'p', rowKey: 'r', v: 'x' };
      const result =
        send === 'sdk'
          ? client.submitTransaction([['upsert', entity, 'Replace']])
          : submitUpsertTransaction(client, [toWireEntity(entity)], 'Replace', httpClient);
      const error = await result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RestError);
      expect(error).toMatchObject({
        statusCode: 400,
        code: 'PropertyValueTooLarge',
        message: '0:The property value exceeds the maximum allowed size (64KB).',
      });
    }
  });

  it('a failed batch request throws a RestError with the batch status', async () => {
    const { httpClient } = recording(() => ({
      status: 403,
      body: '{"odata.error":{"code":"AuthorizationFailure","message":{"value":"This request is not authorized."}}}',
    }));
    const client = clientKinds['shared key'](httpClient, 'T');
    await expect(
      submitUpsertTransaction(client, [toWireEntity({ partitionKey: 'p', rowKey: 'r' })], 'Replace', httpClient),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailure',
      message: 'This request is not authorized.',
    });
  });

  it('sends nothing for no rows', async () => {
    const { httpClient, requests } = recording();
    await submitUpsertTransaction(clientKinds['shared key'](httpClient, 'T'), [], 'Replace', httpClient);
    expect(requests).toHaveLength(0);
  });
});
