import { appError, HostSystemError } from '../errors';
import type { HostContext, HostExtension, RpcTypedData } from '../extension';
import { clientBindingData, rpcBaseUrl } from './client/clientBinding';
import { acceptSignal, durableHttpApi, durableRoutePrefix } from './client/durableHttpApi';
import { axiosOfLoadedDurableFunctions, routeSignalsInProcess } from './client/inProcessSignals';
import { DurableRuntime } from './runtime/durableRuntime';
import { registerActionMarker } from './runtime/registerActionMarker';
import { openStore } from './store/openStore';
import { taskHubName } from './store/taskHubName';

const durableBindingTypes = ['orchestrationTrigger', 'activityTrigger', 'entityTrigger', 'durableClient'] as const;

/** The Durable Functions runtime of the local host: orchestrations, activities, entities, the client binding and its HTTP API. */
export function createDurableExtension(): HostExtension {
  let runtime: DurableRuntime | undefined;
  let ctx: HostContext | undefined;
  let hub = '';
  let stopped = false;
  let unregisterMarker = (): void => {};
  let unrouteSignals = (): void => {};
  return {
    name: 'durable',
    bindingTypes: durableBindingTypes,
    async init(context) {
      ctx = context;
      hub = taskHubName(context.hostJson, context.settings);
      checkClientBindings(context.functions);
      unregisterMarker = registerActionMarker(context.logger);
      const store = openStore(context.store, context.dataDir, hub);
      context.logger.debug(`durable: task hub '${hub}' on ${store.kind} store`);
      runtime = new DurableRuntime({
        store,
        functions: context.functions,
        invoke: (r) => context.invoke(r),
        logger: context.logger,
      });
      unrouteSignals = routeToRuntime(context, runtime, hub);
    },
    async start() {
      runtime?.start();
    },
    async stop() {
      if (stopped || !runtime) return;
      stopped = true;
      unregisterMarker();
      unrouteSignals();
      await runtime.stop();
      runtime.store.close();
    },
    inputData(): RpcTypedData {
      if (!ctx) throw new HostSystemError('The durable extension was asked for client binding data before init().');
      return { json: JSON.stringify(clientBindingData(ctx.baseUrl(), hub, ctx.systemKey)) };
    },
  };
}

/** A durableClient binding is an input: the extension hands it the client's connection data. */
function checkClientBindings(functions: HostContext['functions']): void {
  for (const fn of functions) {
    for (const b of fn.bindings) {
      if (b.type === 'durableClient' && b.direction !== 'in') {
        throw appError(
          `Function '${fn.name}': expected durableClient binding '${b.name}' to have direction 'in' but found '${b.direction}'`,
        );
      }
    }
  }
}

/** The management HTTP API, and the loaded clients' entity signals sent to the runtime in process; returns the undo. */
function routeToRuntime(context: HostContext, rt: DurableRuntime, hub: string): () => void {
  // Management API: with --require-keys only the system key (which the host's own client binding carries) or
  // the master key; a function key must not start, terminate or purge instances.
  context.route(
    durableRoutePrefix,
    durableHttpApi(rt, hub, () => context.baseUrl(), context.systemKey),
    () => 'system',
  );
  const axiosCopies = axiosOfLoadedDurableFunctions();
  context.logger.debug(
    `durable: entity signals from ${axiosCopies.length} loaded durable-functions client(s) go to the runtime in process`,
  );
  return routeSignalsInProcess(
    () => rpcBaseUrl(context.baseUrl()),
    // Only the SDK's signalEntity reaches this sink, its body JSON.stringify's output: not parsed again to check it.
    (name, key, operation, body) => acceptSignal(rt, name, key, operation, body, 'sdk-json'),
    axiosCopies,
    context.systemKey,
  );
}
