import type { ServerResponse } from 'node:http';

import type { HttpResponseParts } from '../converters/fromRpcHttp';

/** Writes the function's HTTP output; repeated headers (set-cookie) become arrays. */
export function sendHttpOutput(res: ServerResponse, response: HttpResponseParts): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  res.writeHead(response.status, headers);
  res.end(response.body);
}
