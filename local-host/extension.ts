/**
 * The contract between the local host's core (app loading, invocation, HTTP, timers) and its
 * binding extensions (durable task runtime, event hubs). The core knows HTTP and timer bindings;
 * every other binding type belongs to exactly one extension, and a binding type no component
 * claims fails start-up naming the function and the binding.
 *
 * Shapes follow the Functions host <-> Node worker gRPC protocol (see local-host/README.md, "Protocol notes"):
 * data crosses as RpcTypedData so the app's own @azure/functions and durable-functions code runs unmodified.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One of the RpcTypedData cases. Exactly one field is set. */
export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  stream?: Uint8Array;
  http?: RpcHttpData;
  int?: number;
  double?: number;
  collectionBytes?: { bytes: Uint8Array[] };
  collectionString?: { string: string[] };
  collectionDouble?: { double: number[] };
  collectionSint64?: { sint64: number[] };
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  nullableHeaders?: Record<string, { value?: string }>;
  nullableQuery?: Record<string, { value?: string }>;
  nullableParams?: Record<string, { value?: string }>;
  body?: RpcTypedData;
  statusCode?: string;
  cookies?: unknown[];
  enableContentNegotiation?: boolean;
}

export interface ParameterBinding {
  name: string;
  data: RpcTypedData;
}

/** A binding as registered by the app, with `%NAME%` expressions already resolved from settings. */
export interface BindingInfo {
  /** The binding's name: the key in the registration's `bindings` map ('$return' for the return binding). */
  name: string;
  type: string;
  direction: 'in' | 'out' | 'inout';
  /** Every other option the app set (route, methods, eventHubName, connection, cardinality, dataType, schedule, ...). */
  [option: string]: unknown;
}

export interface HostFunction {
  name: string;
  /** Stable id used as functionId in invocations. */
  id: string;
  trigger: BindingInfo;
  /** All bindings including the trigger. */
  bindings: BindingInfo[];
  retryOptions?: unknown;
}

export interface InvokeRequest {
  functionName: string;
  /** The trigger's data. Non-trigger input bindings are filled by the host from the owning extension's `inputData`. */
  triggerData: RpcTypedData;
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Optional invocation id; one is generated otherwise. */
  invocationId?: string;
  /**
   * For a function with a retry policy, as the Functions host sends it: retryCount 0 on the first attempt, n on the nth
   * retry; maxRetryCount -1 for unlimited; the previous attempt's exception on a retry.
   */
  retryContext?: {
    retryCount: number;
    maxRetryCount: number;
    exception?: { message?: string; source?: string; stackTrace?: string };
  };
}

export interface InvokeResult {
  invocationId: string;
  outputData: ParameterBinding[];
  returnValue?: RpcTypedData;
}

export interface HostLogger {
  /** Host internals; printed only with --verbose. */
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * The key a host route needs with --require-keys: 'function' (function or master key), 'admin' (master key only),
 * 'system' (the durable extension's system key or the master key), 'anonymous' (none).
 */
export type HostRouteKeyLevel = 'anonymous' | 'function' | 'admin' | 'system';

export interface HostContext {
  readonly functions: readonly HostFunction[];
  /** Parsed host.json ({} when absent). */
  readonly hostJson: Record<string, unknown>;
  /** Settings: process environment after local.settings.json Values were applied. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Folder for this app's persisted host state (durable store, event hub logs, checkpoints). */
  readonly dataDir: string;
  /** Which durable store to use: in-memory (fast tests) or persisted. */
  readonly store: 'memory' | 'sqlite' | 'azurite';
  /** http://localhost:<port>, known once the server listens (before extensions start). */
  baseUrl(): string;
  readonly logger: HostLogger;
  /**
   * Invokes a function through the app's programming model. Output bindings owned by an extension are
   * delivered to that extension's `handleOutput` before this resolves. Rejects with the function's error.
   */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  /**
   * Adds a host-level HTTP route: every request whose path starts with `pathPrefix` (e.g. '/runtime/webhooks/durabletask/').
   * `keyLevel` says which key each method needs with --require-keys; without it every method needs the master key.
   */
  route(pathPrefix: string, handler: RouteHandler, keyLevel?: (method: string) => HostRouteKeyLevel): void;
  /**
   * With --require-keys: the system key the host's own clients (the app's durable client) present on 'system' routes;
   * undefined when keys are not required.
   */
  readonly systemKey?: string;
}

export interface HostExtension {
  readonly name: string;
  /** Binding types this extension owns, e.g. ['orchestrationTrigger', 'activityTrigger', 'entityTrigger', 'durableClient']. */
  readonly bindingTypes: readonly string[];
  /** After the app is loaded and before the HTTP server listens: validate bindings, open stores, add routes. */
  init(ctx: HostContext): Promise<void>;
  /** After the HTTP server listens: start pumps, resume persisted work. */
  start(): Promise<void>;
  /** Stop pumps and flush/close stores. Idempotent. */
  stop(): Promise<void>;
  /** Data for a non-trigger input binding of an owned type (e.g. durableClient). */
  inputData?(fn: HostFunction, binding: BindingInfo): RpcTypedData;
  /** An output binding of an owned type produced data (e.g. eventHub output). */
  handleOutput?(fn: HostFunction, binding: BindingInfo, data: RpcTypedData): Promise<void>;
  /** `POST /admin/functions/{name}` with {"input": ...} for a function whose trigger this extension owns. */
  invokeByAdmin?(fn: HostFunction, input: unknown): Promise<void>;
}
