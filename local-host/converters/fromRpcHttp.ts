import { HostSystemError } from '../errors';
import type { RpcTypedData } from '../extension';
import { toBytes } from './toBytes';
import { type RpcHttpCookie, toSetCookie } from './toSetCookie';

export interface HttpResponseParts {
  status: number;
  /** Header pairs in order; `set-cookie` may repeat. */
  headers: [string, string][];
  body: Buffer;
}

/** The HTTP output binding's data (what @azure/functions' toRpcHttp produced) as a response to write. */
export function fromRpcHttp(data: RpcTypedData | undefined): HttpResponseParts {
  if (!data) return { status: 204, headers: [], body: Buffer.alloc(0) };
  const http = data.http;
  if (!http) {
    // A non-HTTP value on an HTTP output: answer with it as the body, as the host does.
    return { status: 200, headers: [], body: toBytes(data) };
  }
  const status = http.statusCode === undefined || http.statusCode === '' ? 200 : Number(http.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new HostSystemError(
      `The function returned HTTP status "${http.statusCode}", expected an integer from 100 to 999.`,
    );
  }
  const headers: [string, string][] = Object.entries(http.headers ?? {});
  for (const cookie of (http.cookies ?? []) as RpcHttpCookie[]) headers.push(['set-cookie', toSetCookie(cookie)]);
  return { status, headers, body: http.body ? toBytes(http.body) : Buffer.alloc(0) };
}
