import { join, resolve } from 'node:path';

import { loadApp } from './app/loadApp';
import { ownersByType } from './app/ownersByType';
import { azuritePortsFor } from './azurite/azuritePortsFor';
import { applySettings } from './config/applySettings';
import { readHostJson } from './config/readHostJson';
import { readLocalSettings } from './config/readLocalSettings';
import { defaultExtensions } from './defaultExtensions';
import { configError, describeError, ensureError, HostSystemError } from './errors';
import type { HostContext, HostExtension } from './extension';
import { addAdminRoutes } from './http/addAdminRoutes';
import { boundLoopbackSockets } from './http/boundLoopbackSockets';
import { parseAllowedHost } from './http/checkHostHeader';
import { createRequestHandler, type HostRoute } from './http/createRequestHandler';
import { createRouteTable, routePrefixOf } from './http/createRouteTable';
import { handleFunctionRequest } from './http/handleFunctionRequest';
import { listenLocal } from './http/listenLocal';
import { createAuthorizer, presentedKey } from './keys/createAuthorizer';
import { checkHostRouteKey, systemKeyOf } from './keys/hostRouteKeys';
import { loadKeys } from './keys/loadKeys';
import { createConsoleLogger } from './logging/createConsoleLogger';
import { startLocalStorage, type TableStoreKind } from './tables/startLocalStorage';
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
  /** Start the storage emulator (Azurite, and the embedded table store) when AzureWebJobsStorage points at it; default true. */
  azurite?: boolean;
  /**
   * What serves Table storage when the host starts the emulator: 'embedded' (SQLite under the data dir; default)
   * or 'azurite'. Blobs and queues always come from Azurite.
   */
  tables?: TableStoreKind;
  /** Binding extensions; default `defaultExtensions()`. */
  extensions?: HostExtension[];
  /** Logger override (tests); default console, debug only with `verbose`. */
  logger?: HostContext['logger'];
  /** Host names (name or name:port) accepted in the Host header besides localhost, 127.0.0.0/8 and [::1]. */
  allowedHosts?: readonly string[];
  /**
   * Called once when something the host depends on dies while it runs (the embedded Azurite), after the host logged
   * the error; it must stop the host (the CLI stops it and exits non-zero). Default: the host stops itself.
   */
  onFatal?: (err: Error) => void;
}

export interface RunningHost {
  baseUrl: string;
  ctx: HostContext;
  /**
   * Stops timers, extensions (reverse order), the HTTP server, the app (appTerminate hooks) and Azurite, and
   * removes the local.settings.json values it put in process.env. Idempotent.
   */
  stop(): Promise<void>;
}

// WEBSITE_HOSTNAME tells durable-functions' getClient to keep the host's URLs instead of forcing
// localhost:7071; we set it only when the user has not, and keep it current for later hosts in one process.
let hostnameSetByHost: string | undefined;

/**
 * Runs a v4-model Node Functions app: settings -> Azurite (if the storage setting wants the emulator) ->
 * app load (registrations, appStart) -> extensions init -> HTTP listen -> extensions start -> timers.
 */
export async function startHost(options: StartHostOptions): Promise<RunningHost> {
  const appDir = resolve(options.appDir);
  const dataDir = resolve(options.dataDir ?? join(appDir, '.local', 'host'));
  const logger = options.logger ?? createConsoleLogger({ verbose: options.verbose ?? false });
  const extensions = options.extensions ?? defaultExtensions();
  // Stop order: timers, extensions (last started first), server, app, Azurite, settings.
  type Cleanup = () => Promise<void> | void;
  const stages: Record<'timers' | 'extensions' | 'server' | 'app' | 'azurite' | 'settings', Cleanup[]> = {
    timers: [],
    extensions: [],
    server: [],
    app: [],
    azurite: [],
    settings: [],
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stage of [
        stages.timers,
        stages.extensions.reverse(),
        stages.server,
        stages.app,
        stages.azurite,
        stages.settings,
      ]) {
        for (const cleanup of stage) {
          try {
            await cleanup();
          } catch (err) {
            logger.warn(`Stopping the host: ${describeError(err)}`);
          }
        }
      }
    })());

  try {
    const hostJson = readHostJson(appDir);
    // Settings the process already had win and stay; the app's own go with the host, so a later host in the
    // same process (tests, tools) does not inherit them.
    const applied = applySettings(readLocalSettings(appDir));
    stages.settings.push(() => applied.forEach((name) => delete process.env[name]));
    const settings = process.env;
    // Before anything starts, so a bad key setting fails fast.
    const keys = options.requireKeys ? loadKeys(dataDir, settings) : undefined;
    const allowedHosts = allowedHostsOf(options.allowedHosts ?? [], settings.LOCAL_HOST_ALLOWED_HOSTS);

    // Extensions may need storage in init(), so the emulator comes up before the app loads.
    const azuritePorts = options.azurite === false ? undefined : azuritePortsFor(settings.AzureWebJobsStorage);
    if (azuritePorts) {
      const tables = options.tables ?? 'embedded';
      logger.info(
        tables === 'azurite'
          ? `Starting Azurite (blob ${azuritePorts.blob}, queue ${azuritePorts.queue}, table ${azuritePorts.table}) for AzureWebJobsStorage.`
          : `Starting Azurite (blob ${azuritePorts.blob}, queue ${azuritePorts.queue}) and the embedded table store (table ${azuritePorts.table}) for AzureWebJobsStorage.`,
      );
      const storage = await startLocalStorage({
        dataDir,
        ports: azuritePorts,
        tables,
        // The app's storage is gone: keeping on consuming would only log connection errors while nothing is stored.
        onUnexpectedExit: (err) => {
          logger.error(`${err.message} The host stops: the app's storage is gone.`);
          if (options.onFatal) options.onFatal(err);
          else void stop();
        },
      });
      stages.azurite.push(() => storage.stop());
      logger.info(
        `Table storage: ${tables === 'azurite' ? `Azurite at ${storage.tableUrl}` : `the embedded table store at ${storage.tableUrl} (SQLite ${storage.tablesFile})`}.`,
      );
      logger.debug(`Storage emulator: ${storage.description}`);
    }

    boundLoopbackSockets();
    const app = await loadApp({ appDir, settings, logger, extensions });
    stages.app.push(() => app.terminate());
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
        if (!listening.baseUrl)
          throw new HostSystemError(
            'The host base URL is known only once the server listens (use it from start(), not init()).',
          );
        return listening.baseUrl;
      },
      logger,
      invoke: (req) => app.invoke(req),
      route: (prefix, handler, keyLevel) => routes.push({ prefix, handler, ...(keyLevel ? { keyLevel } : {}) }),
      ...(keys ? { systemKey: systemKeyOf(keys) } : {}),
    };

    // Validates every schedule now, so a bad one fails start-up before anything listens.
    const timers = createTimerScheduler(ctx);
    if (keys?.generated)
      logger.info(
        `Generated host keys in ${keys.file} (master key: ${keys.masterKey}, function key: ${keys.functionKey}).`,
      );
    addAdminRoutes({ ctx, owners: ownersByType(extensions), keys, invokeTimer: (fn) => timers.runNow(fn) });

    for (const ext of extensions) {
      logger.debug(`Initialising extension "${ext.name}"`);
      // stop() is idempotent, so an extension whose init failed half-way is still asked to clean up.
      stages.extensions.push(() => ext.stop());
      await ext.init(ctx);
    }

    const table = createRouteTable(app.functions, routePrefixOf(hostJson));
    // An app with a dashboard route (Streamfold's /api/dashboard/) gets `/` redirected there: the URL people type first.
    const prefix = routePrefixOf(hostJson);
    const dashboard = `${prefix ? `/${prefix}` : ''}/dashboard/`;
    const functionDeps = { table, invoke: ctx.invoke, logger, authorize: createAuthorizer(keys) };
    const handler = createRequestHandler(
      () => routes,
      (req, res, url) => handleFunctionRequest(functionDeps, req, res, url),
      logger,
      {
        allowedHosts,
        ...(table.match('GET', dashboard).kind === 'match' ? { rootRedirect: dashboard } : {}),
        ...(keys ? { checkRouteKey: (req, url, level) => checkHostRouteKey(keys, level, presentedKey(req, url)) } : {}),
      },
    );
    const servers = await listenLocal(handler, options.port ?? 7071);
    stages.server.push(() => servers.close());
    const baseUrl = `http://localhost:${servers.port}`;
    listening.baseUrl = baseUrl;
    if (process.env.WEBSITE_HOSTNAME === undefined || process.env.WEBSITE_HOSTNAME === hostnameSetByHost) {
      hostnameSetByHost = process.env.WEBSITE_HOSTNAME = `localhost:${servers.port}`;
    }

    for (const ext of extensions) await ext.start();
    timers.start();
    stages.timers.push(() => timers.stop());
    return { baseUrl, ctx, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Allowed Host names from the option and the LOCAL_HOST_ALLOWED_HOSTS setting (comma-separated). */
function allowedHostsOf(fromOptions: readonly string[], setting: string | undefined): string[] {
  const entries = [...fromOptions, ...(setting ?? '').split(',').filter((e) => e.trim() !== '')];
  return entries.map((entry) => {
    try {
      return parseAllowedHost(entry);
    } catch (err) {
      throw configError(`Allowed hosts (--allowed-host, LOCAL_HOST_ALLOWED_HOSTS): ${ensureError(err).message}.`);
    }
  });
}
