import { loadApp, type LoadedApp } from '../../local-host/app/loadApp';
import { fromRpcTypedData } from '../../local-host/converters/fromRpcTypedData';
import { clientBindingData, rpcBaseUrl } from '../../local-host/durable/client/clientBinding';
import { acceptSignal } from '../../local-host/durable/client/durableHttpApi';
import { axiosOfLoadedDurableFunctions, routeSignalsInProcess } from '../../local-host/durable/client/inProcessSignals';
import { DurableRuntime } from '../../local-host/durable/runtime/durableRuntime';
import type { DurableStore } from '../../local-host/durable/types';
import type { HostExtension, HostFunction, HostLogger, InvokeRequest, InvokeResult } from '../../local-host/extension';

/** The origin the app's durable client is told by default; no server listens there: entity signals are routed in process. */
export const SIM_ORIGIN = 'http://sim.invalid:7071';
export const SIM_TASK_HUB = 'SimHub';

const quiet = (sink?: (line: string) => void): HostLogger => ({
  debug: () => {},
  info: () => {},
  warn: (m) => sink?.(`warn: ${m}`),
  error: (m) => sink?.(`error: ${m}`),
});

/**
 * The extensions the simulator gives the app: the durable bindings (the client binding's data points at SIM_ORIGIN,
 * as the local host's durable extension does at its own origin) and the event hub bindings (triggers are invoked by the
 * simulated hub; outputs are kept). Nothing listens or pumps: the simulator drives every invocation.
 */
function simExtensions(outputs: unknown[], origin: string): HostExtension[] {
  const noop = async () => {};
  return [
    {
      name: 'sim-durable',
      bindingTypes: ['orchestrationTrigger', 'activityTrigger', 'entityTrigger', 'durableClient'],
      init: noop,
      start: noop,
      stop: noop,
      inputData: () => ({ json: JSON.stringify(clientBindingData(origin, SIM_TASK_HUB)) }),
    },
    {
      name: 'sim-eventhub',
      bindingTypes: ['eventHubTrigger', 'eventHub'],
      init: noop,
      start: noop,
      stop: noop,
      handleOutput: async (_fn, _binding, data) => void outputs.push(fromRpcTypedData(data)),
    },
  ];
}

/** One "host process": the app loaded through the local host's loader (the v4 programming model), with its own module instances. */
export interface SimHostProcess {
  app: LoadedApp;
  runtime: DurableRuntime;
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  findTrigger(type: string): HostFunction[];
  /** Kills the process: the runtime commits nothing more; the app's in-memory state is dropped with it. */
  crash(): void;
  stop(): Promise<void>;
  /**
   * Removes the in-process signal routing. Until then a dead process's late signals (to its own origin) hang instead
   * of reaching a later process; call the unroutes of several processes newest first.
   */
  unroute(): void;
}

export interface StartOptions {
  appDir: string;
  settings: Record<string, string | undefined>;
  store: DurableStore;
  now: () => number;
  log?: (line: string) => void;
  /** Durable work items in flight at once (the seed picks it). */
  concurrency?: number;
  /** The origin the app's durable client gets (one per process, so a dead process's signals are told apart). */
  origin?: string;
  /** Awaited before each durable invocation (the simulator's slow entities). */
  delay?: (functionName: string) => Promise<void>;
}

/**
 * Loads the app afresh (its modules are forgotten first, so module-level caches start empty, as in a new process)
 * and starts a durable runtime on `store` (kept across crashes: it is the task hub's storage).
 */
export async function startSimHost(options: StartOptions): Promise<SimHostProcess> {
  const logger = quiet(options.log);
  const outputs: unknown[] = [];
  const origin = options.origin ?? SIM_ORIGIN;
  const app = await loadApp({
    appDir: options.appDir,
    settings: options.settings,
    logger,
    extensions: simExtensions(outputs, origin),
  });
  let dead = false;
  const invoke = (r: InvokeRequest): Promise<InvokeResult> =>
    dead ? new Promise<InvokeResult>(() => {}) : app.invoke(r);
  const durableInvoke = async (r: InvokeRequest): Promise<InvokeResult> => {
    await options.delay?.(r.functionName);
    return invoke(r);
  };
  const runtime = new DurableRuntime({
    store: options.store,
    functions: app.functions,
    invoke: durableInvoke,
    logger,
    now: options.now,
    concurrency: options.concurrency ?? 4,
  });
  const unroute = routeSignalsInProcess(
    () => rpcBaseUrl(origin),
    async (name, key, operation, body) => {
      if (dead) return new Promise<void>(() => {});
      // The same code the host's HTTP route runs for a signal (validation, "resolved = persisted").
      await acceptSignal(runtime, name, key, operation, body);
    },
    axiosOfLoadedDurableFunctions(),
  );
  let routed = true;
  runtime.start();
  return {
    app,
    runtime,
    invoke,
    findTrigger: (type) => app.functions.filter((f) => f.trigger.type === type),
    crash() {
      dead = true;
      runtime.crash();
    },
    async stop() {
      if (dead) return;
      dead = true;
      await runtime.stop();
      await app.terminate();
    },
    unroute() {
      if (routed) unroute();
      routed = false;
    },
  };
}
