import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { version } from '../../../package.json';
import { type ApiDeps, apiDeps } from './deps';
import { withProblems } from './errors';

/**
 * How long one storage check answers every health call. The route is anonymous, so without this every call (a probe,
 * or anyone on the internet) would read the whole Pipelines table.
 */
export const HEALTH_CACHE_MS = 5_000;

type StorageCheck = { status: 'ok' | 'failed'; latencyMs: number; detail?: string };

// Per deps object, so tests that swap the dependencies never see another test's check. The promise is kept, so
// concurrent calls within the TTL share one read.
const cache = new WeakMap<ApiDeps, { at: number; check: Promise<StorageCheck> }>();

async function checkStorage(deps: ApiDeps, context: InvocationContext): Promise<StorageCheck> {
  const started = deps.now();
  try {
    await deps.stores.pipelines.list();
    return { status: 'ok', latencyMs: deps.now() - started };
  } catch (error) {
    context.warn('Health check: storage failed', error);
    return {
      status: 'failed',
      latencyMs: deps.now() - started,
      detail: 'Table storage did not answer; see the function logs.',
    };
  }
}

/** Liveness plus a storage round trip (at most one per HEALTH_CACHE_MS); 503 when storage does not answer (so probes can act on it). */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deps = apiDeps();
  const now = deps.now();
  let entry = cache.get(deps);
  if (!entry || now - entry.at >= HEALTH_CACHE_MS || now < entry.at) {
    entry = { at: now, check: checkStorage(deps, context) };
    cache.set(deps, entry);
  }
  const storage = await entry.check;
  const ok = storage.status === 'ok';
  return { status: ok ? 200 : 503, jsonBody: { status: ok ? 'ok' : 'degraded', version, checks: { storage } } };
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: withProblems(health) });
