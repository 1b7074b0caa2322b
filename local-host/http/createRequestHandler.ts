import type { IncomingMessage, ServerResponse } from 'node:http';

import { describeError, ensureError, isUserError } from '../errors';
import type { HostLogger, HostRouteKeyLevel, RouteHandler } from '../extension';
import type { AuthResult } from '../keys/createAuthorizer';
import { checkHostHeader } from './checkHostHeader';
import { sendProblem, sendText } from './sendText';

export interface HostRoute {
  prefix: string;
  handler: RouteHandler;
  /** The key a request needs with --require-keys, by method; undefined: the master key (admin). */
  keyLevel?: (method: string) => HostRouteKeyLevel;
}

export interface RequestHandlerOptions {
  /** Host names (name or name:port) accepted besides loopback ones. */
  allowedHosts?: readonly string[];
  /** With --require-keys: the key check for host routes (extensions, admin); undefined lets them through. */
  checkRouteKey?: (req: IncomingMessage, url: URL, level: HostRouteKeyLevel) => AuthResult;
  /** Where `GET /` redirects (the app's dashboard, when it has one); unset: a plain "running" text. */
  rootRedirect?: string;
}

/**
 * The server's single request handler: Host check, then host-level routes (extensions, admin) by longest prefix
 * with their key check, then function routes, then 404. Every path is inside one try: a request can get an error
 * answer, never crash the process or drop the connection.
 */
export function createRequestHandler(
  routes: () => readonly HostRoute[],
  functions: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>,
  logger: HostLogger,
  options: RequestHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const allowedHosts = options.allowedHosts ?? [];
  return (req, res) => {
    let path = '?';
    void (async () => {
      try {
        const verdict = checkHostHeader(req.headers.host, allowedHosts);
        if (!verdict.ok) return sendProblem(res, verdict.status, verdict.detail, { field: 'Host' });
        const target = req.url ?? '/';
        // Origin-form only: an absolute-form target (`http://other/x`) or `*` would let the caller pick the URL's host.
        if (!target.startsWith('/'))
          return sendProblem(
            res,
            400,
            `Expected a request target starting with "/", found ${JSON.stringify(target.slice(0, 200))}.`,
            { field: 'request-target' },
          );
        const url = new URL(`http://${verdict.host}${target}`);
        path = url.pathname;
        const route = [...routes()]
          .sort((a, b) => b.prefix.length - a.prefix.length)
          .find((r) => url.pathname.toLowerCase().startsWith(r.prefix.toLowerCase()));
        if (route) {
          if (options.checkRouteKey) {
            const auth = options.checkRouteKey(
              req,
              url,
              route.keyLevel?.((req.method ?? 'GET').toUpperCase()) ?? 'admin',
            );
            if (!auth.ok) return sendProblem(res, 401, auth.message, { field: 'x-functions-key' });
          }
          await route.handler(req, res, url);
          return;
        }
        if (await functions(req, res, url)) return;
        if (url.pathname === '/' && req.method === 'GET') {
          if (options.rootRedirect !== undefined)
            sendText(res, 302, `Redirecting to ${options.rootRedirect}`, { location: options.rootRedirect });
          else sendText(res, 200, 'The local Functions host is running.');
          return;
        }
        sendProblem(res, 404, `No function or host route matches ${req.method} ${url.pathname}.`);
      } catch (err) {
        const error = ensureError(err);
        if (isUserError(error) && error.kind === 'request') {
          sendProblem(res, error.status, error.message);
        } else {
          logger.error(`Request ${req.method} ${path} failed: ${describeError(error)}`);
          sendProblem(res, 500, `Internal error: ${error.message}`);
        }
      }
    })().catch((err: unknown) => {
      // Only a failure while answering an error lands here (e.g. the socket is gone): log it, keep the host up.
      logger.error(`Request ${req.method} ${path}: could not answer: ${describeError(err)}`);
      res.destroy();
    });
  };
}
