import type { IncomingHttpHeaders } from 'node:http';

import type { RpcHttpData, RpcTypedData } from '../extension';

export interface HttpRequestParts {
  method: string;
  /** Absolute URL as the client addressed it. */
  url: string;
  headers: IncomingHttpHeaders;
  params: Readonly<Record<string, string>>;
  body: Buffer;
}

/**
 * An incoming HTTP request as the Functions host sends it to a worker that declared
 * UseNullableValueDictionaryForHttp / RawHttpBodyBytes: nullable maps and the raw body bytes.
 */
export function toRpcHttp(req: HttpRequestParts): RpcTypedData {
  const nullableHeaders: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    nullableHeaders[name] = { value: Array.isArray(value) ? value.join(', ') : value };
  }
  const nullableQuery: Record<string, { value: string }> = {};
  const query = new URL(req.url).searchParams;
  for (const name of new Set(query.keys())) {
    // The host joins repeated query keys with a comma.
    nullableQuery[name] = { value: query.getAll(name).join(',') };
  }
  const nullableParams: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(req.params)) nullableParams[name] = { value };
  const http: RpcHttpData = {
    method: req.method.toUpperCase(),
    url: req.url,
    nullableHeaders,
    nullableQuery,
    nullableParams,
  };
  if (req.body.length > 0) http.body = { bytes: new Uint8Array(req.body) };
  return { http };
}
