import { requestError } from '../errors';
import type { HostContext, HostExtension, HostFunction, RouteHandler } from '../extension';
import { checkKey, presentedKey } from '../keys/createAuthorizer';
import type { HostKeys } from '../keys/loadKeys';
import { handleAdminInvoke } from './handleAdminInvoke';
import { sendJson, sendText } from './sendText';

export interface AdminRouteDeps {
  ctx: HostContext;
  owners: ReadonlyMap<string, HostExtension>;
  /** Present with --require-keys: admin routes then need the master key. */
  keys: HostKeys | undefined;
  invokeTimer(fn: HostFunction): Promise<void>;
}

/** Adds the host's admin API: POST /admin/functions/{name} and GET /admin/host/status. */
export function addAdminRoutes(deps: AdminRouteDeps): void {
  const { ctx, keys } = deps;
  const adminOnly =
    (handler: RouteHandler): RouteHandler =>
    async (req, res, url) => {
      const auth = keys ? checkKey(keys, 'admin', presentedKey(req, url)) : ({ ok: true } as const);
      if (!auth.ok) return sendText(res, 401, auth.message);
      await handler(req, res, url);
    };
  ctx.route(
    '/admin/functions/',
    adminOnly((req, res, url) =>
      handleAdminInvoke(
        { functions: ctx.functions, owners: deps.owners, logger: ctx.logger, invokeTimer: deps.invokeTimer },
        req,
        res,
        url,
      ),
    ),
  );
  ctx.route(
    '/admin/host/status',
    adminOnly(async (req, res) => {
      if (req.method !== 'GET') throw requestError('Use GET /admin/host/status.', 405);
      sendJson(res, 200, { state: 'Running', functions: ctx.functions.map((f) => f.name) });
    }),
  );
}
