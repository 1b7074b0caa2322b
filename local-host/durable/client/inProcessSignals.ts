import { createRequire } from 'node:module';
import { sep } from 'node:path';

import { ensureError, isUserError } from '../../errors';

/** The parts of an axios module (the copy durable-functions loaded) this transport uses. */
export interface AxiosModule {
  defaults: { adapter?: unknown; transformRequest?: RequestTransform | RequestTransform[] };
  getAdapter(adapter: unknown): Adapter;
  AxiosError: new (
    message: string,
    code: string,
    config: AxiosConfig,
    request: unknown,
    response: AxiosResponse,
  ) => Error;
}
interface AxiosConfig {
  url?: string;
  method?: string;
  headers?: Record<string, unknown>;
  data?: unknown;
  validateStatus?: ((status: number) => boolean) | null;
}
interface AxiosResponse {
  data: unknown;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  config: AxiosConfig;
  request: unknown;
}
type Adapter = (config: AxiosConfig) => Promise<AxiosResponse>;
/** axios calls a request transform with the request's config as `this`. */
type RequestTransform = (this: AxiosConfig, data: unknown, headers: unknown) => unknown;

/** Accepts one signal (persisted when it resolves), or throws a user error (400) or a system error (500). */
export type SignalSink = (name: string, key: string, operation: string, body: string) => Promise<void>;

const DURABLE_CLIENT_FILE = `${sep}durable-functions${sep}lib${sep}src${sep}durableClient${sep}DurableClient.js`;

/**
 * Entity signals from the app's durable clients go straight to the runtime instead of over loopback HTTP.
 *
 * durable-functions' `signalEntity` POSTs to `rpcBaseUrl` with its own copy of axios; on the real host that is the
 * extension's local HTTP endpoint. Here the host is the same process, and a busy ingest signals one entity per stream
 * per batch: the HTTP client and server around each signal cost more CPU than accepting it. So the default adapter of
 * every axios copy given (axiosOfLoadedDurableFunctions finds them) is wrapped: a POST to `{rpcBaseUrl}entities/...` is handed to
 * `sink` (the same code the HTTP route runs, so the same validation and the same "202 = persisted"); every other
 * request, and signals to other hosts, go through the original adapter unchanged. The SDK's own code still builds
 * the URL, the body and checks the 202. With `systemKey` (--require-keys), the other requests to rpcBaseUrl carry it
 * in the x-functions-key header. Returns an uninstall function.
 *
 * axios's default request transform parses a string body to check it is JSON before sending it; for a signal handed to
 * the sink that parse of the whole operation input is skipped: the body is the SDK's JSON.stringify output.
 */
export function routeSignalsInProcess(
  rpcBaseUrl: () => string,
  sink: SignalSink,
  axiosCopies: readonly AxiosModule[],
  systemKey?: string,
): () => void {
  const restores = [...new Set(axiosCopies)].map((axios) => {
    const original = axios.defaults.adapter;
    const fallback = axios.getAdapter(original);
    axios.defaults.adapter = (config: AxiosConfig) => {
      const base = rpcBaseUrl();
      const target = signalTarget(config, base);
      if (target !== undefined) return deliver(axios, config, target, sink);
      // The SDK never adds a key to rpcBaseUrl calls (on Azure that endpoint is private to the worker); here it is the
      // host's key-checked webhook route, so the host's own client presents the system key.
      if (systemKey !== undefined && config.url?.startsWith(base) && config.headers)
        config.headers['x-functions-key'] = systemKey;
      return fallback(config);
    };
    const originalTransforms = axios.defaults.transformRequest;
    const transforms = originalTransforms === undefined ? [] : [originalTransforms].flat();
    axios.defaults.transformRequest = [
      function skipForInProcessSignals(this: AxiosConfig, data: unknown, headers: unknown): unknown {
        if (typeof data === 'string' && signalTarget(this, rpcBaseUrl()) !== undefined) return data;
        return transforms.reduce((value, transform) => transform.call(this, value, headers), data);
      },
    ];
    return () => {
      axios.defaults.adapter = original;
      axios.defaults.transformRequest = originalTransforms;
    };
  });
  return () => restores.forEach((restore) => restore());
}

/** The axios copy each durable-functions the app loaded resolves (usually one; nested installs can make more). */
export function axiosOfLoadedDurableFunctions(loaded: readonly string[] = Object.keys(require.cache)): AxiosModule[] {
  const copies: AxiosModule[] = [];
  for (const file of loaded.filter((f) => f.endsWith(DURABLE_CLIENT_FILE))) {
    try {
      const axios = createRequire(file)('axios') as AxiosModule;
      if (typeof axios.getAdapter === 'function') copies.push(axios);
    } catch {
      // No axios next to it: that copy cannot be routed, and keeps using HTTP.
    }
  }
  return copies;
}

/** The entity and operation of a signal POST to this host's rpcBaseUrl, or undefined for any other request. */
export function signalTarget(
  config: AxiosConfig,
  rpcBaseUrl: string,
): { name: string; key: string; operation: string } | undefined {
  if ((config.method ?? 'get').toLowerCase() !== 'post' || !config.url?.startsWith(`${rpcBaseUrl}entities/`))
    return undefined;
  const url = new URL(config.url);
  // The SDK does not encode the key, so a key with "/" spans several segments: the key is all of them.
  const [name, ...key] = url.pathname.slice(new URL(rpcBaseUrl).pathname.length + 'entities/'.length).split('/');
  if (!name || key.length === 0) return undefined;
  try {
    return {
      name: decodeURIComponent(name),
      key: key.map(decodeURIComponent).join('/'),
      operation: url.searchParams.get('op') ?? '',
    };
  } catch {
    return undefined;
  }
}

async function deliver(
  axios: AxiosModule,
  config: AxiosConfig,
  target: { name: string; key: string; operation: string },
  sink: SignalSink,
): Promise<AxiosResponse> {
  let status = 202;
  let data: unknown = '';
  try {
    await sink(
      target.name,
      target.key,
      target.operation,
      typeof config.data === 'string' ? config.data : config.data === undefined ? '' : JSON.stringify(config.data),
    );
  } catch (err) {
    status = isUserError(err) ? err.status : 500;
    data = { error: ensureError(err).message };
  }
  const response: AxiosResponse = {
    data,
    status,
    statusText: status === 202 ? 'Accepted' : 'Error',
    headers: {},
    config,
    request: { inProcess: true },
  };
  // As axios's own adapters settle: reject when validateStatus says so (durable-functions accepts every status < 600).
  if (config.validateStatus && !config.validateStatus(status)) {
    throw new axios.AxiosError(
      `Request failed with status code ${status}`,
      status < 500 ? 'ERR_BAD_REQUEST' : 'ERR_BAD_RESPONSE',
      config,
      response.request,
      response,
    );
  }
  return response;
}
