import { resolve as resolvePath } from 'node:path';

import { appError, ensureError, requestError } from '../errors';
import type { HostExtension, HostFunction, HostLogger, InvokeRequest, InvokeResult } from '../extension';
import type { CoreLogCategory, CoreLogLevel } from './coreTypes';
import { findEntryFiles } from './findEntryFiles';
import { installCoreApi, type Registration } from './installCoreApi';
import { invokeRegistered } from './invokeRegistered';
import { forgetAppModules, loadEntryFile } from './loadEntryFile';
import { ownersByType } from './ownersByType';
import { runHooks } from './runHooks';
import { isCoreBindingType } from './supportedBindingTypes';
import { toHostFunction } from './toHostFunction';
import { toHostLogLevel } from './toHostLogLevel';

export interface LoadAppOptions {
  appDir: string;
  /** Settings used to resolve `%NAME%` in binding options (normally process.env after local.settings.json). */
  settings: Readonly<Record<string, string | undefined>>;
  logger: HostLogger;
  extensions: readonly HostExtension[];
}

export interface LoadedApp {
  functions: HostFunction[];
  invoke(req: InvokeRequest): Promise<InvokeResult>;
  /** Runs appTerminate hooks. */
  terminate(): Promise<void>;
}

/** Capabilities the worker reports before the programming model adds its own. */
const workerCapabilities: Record<string, string> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

/**
 * Loads a v4-model app the way the Node worker does: core API first, then the package.json `main` files,
 * appStart hooks, getCapabilities (which locks the library's setup), then registration closes. Every
 * binding type must be handled by the core or by one extension.
 */
export async function loadApp(options: LoadAppOptions): Promise<LoadedApp> {
  const { appDir, settings, logger, extensions } = options;
  const core = installCoreApi((level: CoreLogLevel, category: CoreLogCategory, message: string) => {
    const method = toHostLogLevel(level);
    if (!method) return;
    if (category === 'system' && (method === 'debug' || method === 'info')) logger.debug(message);
    else logger[method](message);
  });

  const entry = findEntryFiles(appDir);
  forgetAppModules(resolvePath(appDir));
  for (const file of entry.files) {
    logger.debug(`Loading entry point file "${file}"`);
    try {
      await loadEntryFile(file, entry.isModule);
    } catch (err) {
      const error = ensureError(err);
      throw appError(`Failed to load entry point file "${file}": ${error.stack ?? error.message}`);
    }
  }

  const appLevelOnlyHookData: Record<string, unknown> = {};
  try {
    await runHooks(core.hooks.appStart, {
      hookData: appLevelOnlyHookData,
      appHookData: core.appHookData,
      functionAppDirectory: appDir,
    });
  } catch (err) {
    throw appError(`An appStart hook failed: ${ensureError(err).message}`);
  }

  const model = core.programmingModel();
  if (model?.getCapabilities) {
    const capabilities = await model.getCapabilities({ ...workerCapabilities });
    // The library then waits for requests on its own proxy server, which only the real host feeds.
    if (capabilities.HttpUri) {
      throw appError(
        'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the local host does not support; remove it to run locally.',
      );
    }
  }
  core.startupFinished = true;

  if (core.registrations.length > 0 && !model) {
    throw appError('The app registered functions but set no programming model (is @azure/functions installed?).');
  }
  if (core.registrations.length === 0)
    logger.warn(`No functions were registered by ${entry.files.length} entry file(s) in ${appDir}.`);

  const owners = ownersByType(extensions);
  const byName = new Map<string, { fn: HostFunction; registration: Registration }>();
  for (const registration of core.registrations) {
    const fn = toHostFunction(registration.metadata, settings);
    if (byName.has(fn.name.toLowerCase())) throw appError(`Two functions are registered with the name "${fn.name}".`);
    for (const binding of fn.bindings) {
      if (!isCoreBindingType(binding.type) && !owners.has(binding.type.toLowerCase())) {
        const known = ['httpTrigger', 'http', 'timerTrigger', ...extensions.flatMap((e) => e.bindingTypes)].join(', ');
        throw appError(
          `Function "${fn.name}": binding "${binding.name}" has type "${binding.type}", which the local host does not support (supported: ${known}).`,
        );
      }
    }
    byName.set(fn.name.toLowerCase(), { fn, registration });
  }

  return {
    functions: [...byName.values()].map((entryOf) => entryOf.fn),
    async invoke(req: InvokeRequest): Promise<InvokeResult> {
      const found = byName.get(req.functionName.toLowerCase());
      if (!found) throw requestError(`No function named "${req.functionName}" is registered.`, 404);
      // `model` is set whenever there is a registration to find.
      return invokeRegistered({ core, model: model!, logger, owners }, found.fn, found.registration, req);
    },
    async terminate(): Promise<void> {
      try {
        await runHooks(core.hooks.appTerminate, { hookData: appLevelOnlyHookData, appHookData: core.appHookData });
      } catch (err) {
        logger.warn(`An appTerminate hook failed: ${ensureError(err).message}`);
      }
    },
  };
}
