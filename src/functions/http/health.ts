import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { version } from '../../../package.json';
import { apiDeps } from './deps';
import { withProblems } from './errors';

/** Liveness plus a storage round trip; 503 when storage does not answer (so probes can act on it). */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deps = apiDeps();
  const started = deps.now();
  let storage: { status: 'ok' | 'failed'; latencyMs: number; detail?: string };
  try {
    await deps.stores.pipelines.list();
    storage = { status: 'ok', latencyMs: deps.now() - started };
  } catch (error) {
    context.warn('Health check: storage failed', error);
    storage = { status: 'failed', latencyMs: deps.now() - started, detail: 'Table storage did not answer; see the function logs.' };
  }
  const ok = storage.status === 'ok';
  return { status: ok ? 200 : 503, jsonBody: { status: ok ? 'ok' : 'degraded', version, checks: { storage } } };
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: withProblems(health) });
