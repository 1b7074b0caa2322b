import { randomUUID } from 'node:crypto';

import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/** A property value the transaction writes as JSON, as the SDK does for these types (no type annotation). */
export type PlainValue = string | number | boolean | null | undefined;
export type PlainEntity = { partitionKey: string; rowKey: string } & Record<string, PlainValue>;

/** An entity serialized once: its keys, and its JSON as the transaction sends it (its UTF-8 size counts the limit). */
export interface WireEntity {
  partitionKey: string;
  rowKey: string;
  json: string;
}

/**
 * One entity-group transaction of upserts, as `TableClient.submitTransaction` builds it, byte for byte (tested against
 * the SDK's own body), sent through the client's pipeline (its credential, retry and request-count policies).
 *
 * Why not the SDK's: it builds each operation by running a whole generated-client request through an intercepting
 * pipeline (operation spec, mappers, URL templates, a tracing span) and creates a new TableClient per transaction:
 * about 75 µs per row, where this takes a few. The Windows table gets one row per closed window, hundreds per 1,000
 * events when a history is replayed, so that was a sixth of the host's main thread (docs/explanation/benchmarks.md).
 * Only plain values (string, number, boolean), the types the SDK sends without an annotation, are accepted.
 */
export async function submitUpsertTransaction(
  client: TableClient,
  entities: readonly WireEntity[],
  mode: 'Replace' | 'Merge',
  httpClient: HttpClient = sharedHttpClient(),
): Promise<void> {
  const first = entities[0];
  if (first === undefined) return;
  const batch = `batch_${randomUUID()}`;
  const changeset = `changeset_${randomUUID()}`;
  const [base = '', sas] = client.url.split('?');
  const prefix = `--${changeset}\r\ncontent-type: application/http\r\ncontent-transfer-encoding: binary\r\n\r\n${mode === 'Replace' ? 'PUT' : 'PATCH'} ${tableUrl(base, client.tableName)}`;
  const parts = [`--${batch}\r\ncontent-type: multipart/mixed; boundary=${changeset}\r\n\r\n`];
  for (const entity of entities) {
    if (entity.partitionKey !== first.partitionKey)
      throw new Error(
        `submitUpsertTransaction: expected one PartitionKey per transaction, found ${JSON.stringify(first.partitionKey)} and ${JSON.stringify(entity.partitionKey)}`,
      );
    parts.push(
      `${prefix}(PartitionKey='${keyInUrl(entity.partitionKey)}',RowKey='${keyInUrl(entity.rowKey)}') HTTP/1.1\r\nContent-Type: application/json\r\nDataServiceVersion: 3.0\r\nAccept: application/json\r\n\r\n\r\n${entity.json}`,
    );
  }
  const body = `${parts.join('\r\n')}\r\n--${changeset}--\r\n--${batch}--\r\n`;
  const request = createPipelineRequest({
    allowInsecureConnection: allowsInsecureConnection(client),
    url: `${base.endsWith('/') ? base : `${base}/`}$batch${sas === undefined ? '' : `?${sas}`}`,
    method: 'POST',
    body,
    headers: createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=${batch}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
  });
  throwIfFailed(await client.pipeline.sendRequest(httpClient, request));
}

/**
 * The client's own allowInsecureConnection option, which the SDK gives its transactions: http is then allowed (Azurite,
 * the local store) and a bearer token over http still refused otherwise. The SDK keeps it in a private field; if that
 * ever changes this reads false and http requests fail loudly (the storage tests use http), never the other way.
 */
function allowsInsecureConnection(client: TableClient): boolean {
  return (client as unknown as { allowInsecureConnection?: unknown }).allowInsecureConnection === true;
}

let httpClient: HttpClient | undefined;
/** One HTTP client (and connection pool) for every transaction of the process, as the SDK shares its own. */
function sharedHttpClient(): HttpClient {
  return (httpClient ??= createDefaultHttpClient());
}

/** The sub-requests' URL up to the keys: the SDK's (generated path template, then the URL parser's normal form). */
function tableUrl(base: string, table: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}${encodeURIComponent(table)}`;
  return url.toString();
}

/** OData key literal in a URL: quotes doubled, then percent-encoded (as the SDK's path parameters are). */
const keyInUrl = (key: string): string => encodeURIComponent(key.replace(/'/g, "''"));

const WIRE_NAMES: ReadonlyMap<string, string> = new Map([
  ['partitionKey', 'PartitionKey'],
  ['rowKey', 'RowKey'],
  ['etag', 'odata.etag'],
  ['timestamp', 'Timestamp'],
]);

/** The entity as the SDK serializes it: its own property order, the SDK's four names translated. */
export function toWireEntity(entity: PlainEntity): WireEntity {
  const wire: Record<string, PlainValue> = {};
  for (const name of Object.keys(entity)) {
    const value = entity[name];
    if (value !== null && typeof value === 'object')
      throw new TypeError(
        `toWireEntity: expected plain property values (string, number, boolean), found an object in ${JSON.stringify(name)}`,
      );
    if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function')
      throw new TypeError(
        `toWireEntity: expected plain property values (string, number, boolean), found a ${typeof value} in ${JSON.stringify(name)}`,
      );
    wire[WIRE_NAMES.get(name) ?? name] = value;
  }
  return { partitionKey: entity.partitionKey, rowKey: entity.rowKey, json: JSON.stringify(wire) };
}

/** The SDK's reading of a transaction response: a failed batch or sub-request throws a RestError with its status. */
function throwIfFailed(response: PipelineResponse): void {
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300) throw restError(text, response.status, response);
  const subResponses = text.split('--changesetresponse_').slice(1, -1);
  for (const sub of subResponses) {
    const status = /HTTP\/1.1 ([0-9]*)/.exec(sub)?.[1];
    if (status === undefined || !Number.isInteger(Number.parseInt(status, 10)))
      throw new Error(`Couldn't extract status from sub-response:\n ${sub}`);
    const errorBody = /\{(.*)\}/.exec(sub)?.[0];
    if (errorBody !== undefined) throw restError(errorBody, Number.parseInt(status, 10), response);
  }
}

function restError(bodyAsText: string, statusCode: number, response: PipelineResponse): RestError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyAsText);
  } catch {
    parsed = {};
  }
  const error = (parsed as { 'odata.error'?: { code?: string; message?: { value?: string } } } | null)?.['odata.error'];
  return new RestError(error?.message?.value ?? 'Transaction Failed', {
    ...(error?.code === undefined ? {} : { code: error.code }),
    statusCode,
    request: response.request,
    response,
  });
}
