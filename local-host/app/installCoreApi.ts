import { runInThisContext } from 'node:vm';

import { appError } from '../errors';
import type {
  CoreFunctionMetadata,
  CoreHookName,
  CoreLogCategory,
  CoreLogLevel,
  CoreProgrammingModel,
  FunctionCallback,
  HookCallback,
} from './coreTypes';
import { NodeModule as Module } from './nodeModule';

export interface Registration {
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
}

export type CoreLogSink = (level: CoreLogLevel, category: CoreLogCategory, message: string) => void;

/** What the app handed to `@azure/functions-core` while it loaded. */
export interface CoreApiState {
  readonly registrations: Registration[];
  readonly hooks: Record<CoreHookName, HookCallback[]>;
  /** Shared by every hook of the app (the worker's `appHookData`). */
  readonly appHookData: Record<string, unknown>;
  /** Set once app start-up finished; later registrations are rejected like the worker does. */
  startupFinished: boolean;
  log: CoreLogSink;
  programmingModel(): CoreProgrammingModel | undefined;
}

const hookNames: readonly CoreHookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];

/** The worker's Disposable (VS Code style), handed to apps as `coreApi.Disposable`. */
class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  #onDispose: (() => unknown) | undefined;
  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }
  dispose(): unknown {
    const fn = this.#onDispose;
    this.#onDispose = undefined;
    return fn?.();
  }
}

interface Shared {
  state: CoreApiState;
  // Kept across app loads: the library calls setProgrammingModel only once per process.
  programmingModel?: CoreProgrammingModel;
}

// One record per process, even across separate module registries (jest), because Module.prototype and
// the library's cached reference to the core API are process-wide.
const sharedKey = Symbol.for('streamfold.localHost.coreApi');
type GlobalWithShared = typeof globalThis & { [sharedKey]?: Shared };

export const coreApiVersion = '3.10.1';
export const hostVersion = '4.1040.0';

/**
 * Provides `@azure/functions-core` to every `require` in the process, exactly as the Node worker does
 * (Module.prototype.require proxy), and starts a fresh registration record. Call before the app's first
 * `require('@azure/functions')`. Returns the record the app fills while it loads.
 */
export function installCoreApi(log: CoreLogSink): CoreApiState {
  // The main context's global, not this module's: under jest each test file has its own globalThis, while
  // Module.prototype and the app's cached @azure/functions are the process's.
  const g = runInThisContext('globalThis') as GlobalWithShared;
  let shared = g[sharedKey];
  const state: CoreApiState = {
    registrations: [],
    hooks: { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] },
    appHookData: {},
    startupFinished: false,
    log,
    programmingModel: () => shared?.programmingModel,
  };
  if (shared) {
    shared.state = state;
    return state;
  }
  shared = { state };
  g[sharedKey] = shared;
  const current = shared;

  const coreApi = {
    version: coreApiVersion,
    hostVersion,
    Disposable,
    registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): Disposable {
      const st = current.state;
      if (st.startupFinished) throw appError('A function can only be registered during app startup.');
      const registration = { metadata, callback };
      st.registrations.push(registration);
      return new Disposable(() => {
        if (st.startupFinished) throw appError('A function can only be disposed during app startup.');
        const i = st.registrations.indexOf(registration);
        if (i >= 0) st.registrations.splice(i, 1);
      });
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      if (!hookNames.includes(hookName as CoreHookName)) {
        throw new RangeError(`Unrecognized hook "${hookName}"`);
      }
      const list = current.state.hooks[hookName as CoreHookName];
      list.push(callback);
      return new Disposable(() => {
        const i = list.indexOf(callback);
        if (i >= 0) list.splice(i, 1);
      });
    },
    setProgrammingModel(model: CoreProgrammingModel): void {
      current.programmingModel = model;
    },
    getProgrammingModel(): CoreProgrammingModel | undefined {
      return current.programmingModel;
    },
    log(level: CoreLogLevel, category: CoreLogCategory, message: string): void {
      current.state.log(level, category, message);
    },
  };

  type RequireFn = (this: unknown, id: string) => unknown;
  // The prototype that owns `require` is Node's own; a test runner's Module subclass only inherits it.
  let proto = Module.prototype as unknown as { require: RequireFn };
  while (!Object.prototype.hasOwnProperty.call(proto, 'require') && Object.getPrototypeOf(proto))
    proto = Object.getPrototypeOf(proto);
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });
  return state;
}
