import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';

import { loadApp, type LoadedApp } from './app/loadApp';
import { ownersByType } from './app/ownersByType';
import { azuritePortsFor } from './azurite/azuritePortsFor';
import { startAzurite } from './azurite/startAzurite';
import { applySettings } from './config/applySettings';
import { readHostJson } from './config/readHostJson';
import { readLocalSettings } from './config/readLocalSettings';
import { defaultExtensions } from './defaultExtensions';
import { describeError, requestError } from './errors';
import type { HostContext, HostExtension, HostFunction, RouteHandler } from './extension';
import { createRequestHandler, type HostRoute } from './http/createRequestHandler';
import { createRouteTable, routePrefixOf } from './http/createRouteTable';
import { handleAdminInvoke } from './http/handleAdminInvoke';
import { handleFunctionRequest } from './http/handleFunctionRequest';
import { listen } from './http/listen';
import { sendJson, sendText } from './http/sendText';
import { authLevelOf, checkKey, presentedKey } from './keys/createAuthorizer';
import { loadKeys } from './keys/loadKeys';
import { createConsoleLogger } from './logging/createConsoleLogger';
import { createTimerScheduler } from './timer/createTimerScheduler';

export type StoreKind = 'memory' | 'sqlite' | 'azurite';

export interface StartHostOptions {
  appDir: string;
  /** 0 picks a free port; default 7071. */
  port?: number;
  /** Durable store; default 'sqlite'. */
  store?: StoreKind;
  /** Enforce function/admin keys (authLevel); default false, as `func start`. */
  requireKeys?: boolean;
  /** Print host internals (logger.debug). */
  verbose?: boolean;
  /** Persisted host state; default <appDir>/.local/host. */
  dataDir?: string;
  /** Start an embedded Azurite when AzureWebJobsStorage points at the emulator; default true. */
  azurite?: boolean;
  /** Binding extensions; default `defaultExtensions()`. */
  extensions?: HostExtension[];
  /** Logger override (tests); default console. */
  logger?: HostContext['logger'];
}

export interface RunningHost {
  baseUrl: string;
  ctx: HostContext;
  stop(): Promise<void>;
}

/**
 * Runs a v4-model Node Functions app: settings -> app load (registrations, appStart) -> extensions init ->
 * HTTP listen -> extensions start -> timers. `stop()` undoes it in reverse and is idempotent.
 */
export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = resolve(options.appDir);
  const dataDir = resolve(options.dataDir ?? join(appDir, '.local', 'host'));
  const logger = options.logger ?? createConsoleLogger({ verbose: options.verbose ?? false });
  const extensions = options.extensions ?? defaultExtensions();
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    while (cleanups.length > 0) {
      const cleanup = cleanups.pop()!;
      try {
        await cleanup();
      } catch (err) {
        logger.warn(`Stopping the host: ${describeError(err)}`);
      }
    }
  };

  try {
    const hostJson = readHostJson(appDir);
    applySettings(readLocalSettings(appDir));
    const settings = process.env;

    // Extensions may need storage in init(), so the emulator comes up before the app loads.
    const azuritePorts = options.azurite === false ? undefined : azuritePortsFor(settings.AzureWebJobsStorage);
    if (azuritePorts) {
      logger.info(`Starting Azurite (blob ${azuritePorts.blob}, queue ${azuritePorts.queue}, table ${azuritePorts.table}) for AzureWebJobsStorage.`);
      const azurite = await startAzurite({ location: join(dataDir, 'azurite'), ports: azuritePorts });
      cleanups.push(() => azurite.stop());
      logger.debug(`Azurite is listening at ${azurite.blobUrl}, ${azurite.queueUrl}, ${azurite.tableUrl}`);
    }

    const app: LoadedApp = await loadApp({ appDir, settings, logger, extensions });
    cleanups.push(() => app.terminate());
    const owners = ownersByType(extensions);
    const routes: HostRoute[] = [];
    // Known once the server listens; extensions read it from start() on.
    const listening: { baseUrl?: string } = {};

    const ctx: HostContext = {
      functions: app.functions,
      hostJson,
      settings,
      dataDir,
      store: options.store ?? 'sqlite',
      baseUrl: () => {
        if (!listening.baseUrl) throw new Error('The host base URL is known only once the server listens (use it from start(), not init()).');
        return listening.baseUrl;
      },
      logger,
      invoke: (req) => app.invoke(req),
      route: (prefix, handler) => routes.push({ prefix, handler }),
    };

    // Validates every schedule now, so a bad one fails start-up before anything listens.
    const timers = createTimerScheduler(ctx);
    const invokeTimer = (fn: HostFunction): Promise<void> => timers.runNow(fn);

    const keys = options.requireKeys ? loadKeys(dataDir, settings) : undefined;
    if (keys?.generated) {
      logger.info(`Generated host keys in ${keys.file} (master key: ${keys.masterKey}, function key: ${keys.functionKey}).`);
    }
    const adminOnly =
      (handler: RouteHandler): RouteHandler =>
      async (req, res, url) => {
        const auth = keys ? checkKey(keys, 'admin', presentedKey(req, url)) : { ok: true as const };
        if (!auth.ok) return sendText(res, 401, auth.message);
        await handler(req, res, url);
      };
    ctx.route('/admin/functions/', adminOnly((req, res, url) => handleAdminInvoke({ functions: app.functions, owners, logger, invokeTimer }, req, res, url)));
    ctx.route(
      '/admin/host/status',
      adminOnly(async (req, res) => {
        if (req.method !== 'GET') throw requestError('Use GET /admin/host/status.', 405);
        sendJson(res, 200, { state: 'Running', functions: app.functions.map((f) => f.name) });
      }),
    );

    for (const ext of extensions) {
      logger.debug(`Initialising extension "${ext.name}"`);
      await ext.init(ctx);
      cleanups.push(() => ext.stop());
    }

    const table = createRouteTable(app.functions, routePrefixOf(hostJson));
    const handler = createRequestHandler(
      () => routes,
      (req, res, url) =>
        handleFunctionRequest(
          {
            table,
            invoke: ctx.invoke,
            logger,
            authorize: (freq, fres, furl, fn) => {
              if (!keys) return true;
              const auth = checkKey(keys, authLevelOf(fn.trigger.authLevel), presentedKey(freq, furl));
              if (!auth.ok) sendText(fres, 401, auth.message);
              return auth.ok;
            },
          },
          req,
          res,
          url,
        ),
      logger,
    );
    const servers = await listenLocal(handler, options.port ?? 7071);
    cleanups.push(() => closeServers(servers.all));
    const baseUrl = `http://localhost:${servers.port}`;
    listening.baseUrl = baseUrl;

    for (const ext of extensions) await ext.start();
    timers.start();
    cleanups.push(() => timers.stop());

    return { baseUrl, ctx, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Listens on 127.0.0.1 and, where available, ::1 on the same port, so "localhost" works either way without exposing the host to the network. */
async function listenLocal(handler: Parameters<typeof createServer>[1], port: number): Promise<{ port: number; all: Server[] }> {
  const v4 = createServer(handler!);
  const actual = await listen(v4, port, '127.0.0.1');
  const all = [v4];
  const v6 = createServer(handler!);
  try {
    await listen(v6, actual, '::1');
    all.push(v6);
  } catch {
    // No IPv6 loopback (or the port is taken there): 127.0.0.1 alone serves "localhost" clients that fall back to IPv4.
  }
  return { port: actual, all };
}

async function closeServers(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    ),
  );
}
