import type { IncomingMessage, ServerResponse } from 'node:http';

import { fromRpcHttp } from '../converters/fromRpcHttp';
import { toRpcHttp } from '../converters/toRpcHttp';
import { describeError, ensureError, isUserError } from '../errors';
import type { HostContext, HostFunction, InvokeResult, RpcTypedData } from '../extension';
import type { RouteTable } from './createRouteTable';
import { readBody } from './readBody';
import { sendHttpOutput } from './sendHttpOutput';
import { sendProblem, sendText } from './sendText';

export interface FunctionRequestDeps {
  table: RouteTable;
  invoke: HostContext['invoke'];
  logger: HostContext['logger'];
  /** Answers the request itself (401) and returns false when the caller lacks the key this function needs. */
  authorize(req: IncomingMessage, res: ServerResponse, url: URL, fn: HostFunction): boolean;
}

/** Handles a request for a function route; returns false when no function route matches the path. */
export async function handleFunctionRequest(
  deps: FunctionRequestDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const method = (req.method ?? 'GET').toUpperCase();
  const match = deps.table.match(method, url.pathname);
  if (match.kind === 'notFound') return false;
  if (match.kind === 'methodNotAllowed') {
    sendProblem(
      res,
      405,
      `Method ${method} is not allowed for ${url.pathname}; allowed: ${match.allowed.join(', ')}.`,
      { field: 'method' },
      {
        allow: match.allowed.join(', '),
      },
    );
    return true;
  }
  const { route, params } = match;
  if (!deps.authorize(req, res, url, route.fn)) return true;
  try {
    const body = await readBody(req);
    const triggerData = toRpcHttp({ method, url: url.href, headers: req.headers, params, body });
    const result = await deps.invoke({ functionName: route.fn.name, triggerData });
    sendHttpOutput(res, fromRpcHttp(httpOutputOf(route.fn, result)));
  } catch (err) {
    const error = ensureError(err);
    if (isUserError(error) && error.kind === 'request') {
      sendProblem(res, error.status, error.message);
    } else {
      // The invocation failure is already logged by the invoker; the caller gets the reason for quick debugging.
      deps.logger.debug(`Request ${method} ${url.pathname} failed: ${describeError(error)}`);
      sendText(res, 500, `Function "${route.fn.name}" failed: ${error.message}`);
    }
  }
  return true;
}

function httpOutputOf(fn: HostFunction, result: InvokeResult): RpcTypedData | undefined {
  const binding = fn.bindings.find((b) => b.direction === 'out' && b.type.toLowerCase() === 'http');
  if (!binding) return undefined;
  if (binding.name === '$return') return result.returnValue;
  return result.outputData.find((o) => o.name === binding.name)?.data;
}
