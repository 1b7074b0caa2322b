import type { IncomingMessage, ServerResponse } from 'node:http';

import { describeError, ensureError, isUserError } from '../errors';
import type { HostLogger, RouteHandler } from '../extension';
import { sendText } from './sendText';

export interface HostRoute {
  prefix: string;
  handler: RouteHandler;
}

/**
 * The server's single request handler: host-level routes (extensions, admin) by longest prefix, then
 * function routes, then 404. Errors become clear answers instead of dropped connections.
 */
export function createRequestHandler(
  routes: () => readonly HostRoute[],
  functions: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>,
  logger: HostLogger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    void (async () => {
      try {
        const route = [...routes()]
          .sort((a, b) => b.prefix.length - a.prefix.length)
          .find((r) => url.pathname.toLowerCase().startsWith(r.prefix.toLowerCase()));
        if (route) {
          await route.handler(req, res, url);
          return;
        }
        if (await functions(req, res, url)) return;
        if (url.pathname === '/' && req.method === 'GET') {
          sendText(res, 200, 'The local Functions host is running.');
          return;
        }
        sendText(res, 404, `No function or host route matches ${req.method} ${url.pathname}.`);
      } catch (err) {
        const error = ensureError(err);
        if (isUserError(error) && error.kind === 'request') {
          sendText(res, error.status, error.message);
        } else {
          logger.error(`Request ${req.method} ${url.pathname} failed: ${describeError(error)}`);
          sendText(res, 500, `Internal error: ${error.message}`);
        }
      }
    })();
  };
}
