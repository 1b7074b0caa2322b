import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';

import type { StreamView } from '../../src/core';
import { type ApiDeps, setApiDeps } from '../../src/functions/api/deps';
import { withProblems } from '../../src/functions/api/errors';
import type { Stores } from '../../src/storage/types';

export interface Call {
  method?: string;
  path: string;
  params?: Record<string, string>;
  body?: unknown;
}

/** Installs the given stores (and live stream views, keyed "{pipeline}|{stream}") as the API's dependencies. */
export function useDeps(
  stores: Stores,
  streams = new Map<string, StreamView>(),
  now = () => Date.parse('2024-05-01T10:05:30Z'),
  defaultRetention = 60,
): ApiDeps {
  const deps: ApiDeps = {
    stores,
    readStream: async (_ctx, pipeline, stream) => streams.get(`${pipeline}|${stream}`),
    now,
    defaultRetention,
  };
  setApiDeps(deps);
  return deps;
}

/** Invokes a handler through the same problem mapper the app registers, with real request/context objects. */
export async function call(
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
  { method = 'GET', path, params = {}, body }: Call,
): Promise<{ status: number; contentType: string | undefined; json: unknown; logs: string[] }> {
  const url = `http://localhost:7071/api/${path}`;
  const query = Object.fromEntries(new URL(url).searchParams.entries());
  const request = new HttpRequest({
    method,
    url,
    params,
    query,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: { string: typeof body === 'string' ? body : JSON.stringify(body) } }),
  });
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: 'test',
    invocationId: 'inv-1',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  // Our handlers all return HttpResponseInit (never the HttpResponse class).
  const response = (await withProblems(handler)(request, context)) as HttpResponseInit;
  const headers = new Headers(response.headers as Record<string, string> | undefined);
  const text =
    response.jsonBody !== undefined
      ? JSON.stringify(response.jsonBody)
      : typeof response.body === 'string'
        ? response.body
        : '';
  return {
    status: response.status ?? 200,
    contentType: response.jsonBody !== undefined ? 'application/json' : (headers.get('content-type') ?? undefined),
    json: text ? (JSON.parse(text) as unknown) : undefined,
    logs,
  };
}
