/**
 * The slice of the `@azure/functions-core` API (the Node worker's built-in module) that the local host
 * implements. Shapes follow the worker's types-core/index.d.ts; only what a programming model uses is here.
 */
import type { RpcTypedData } from '../extension';

export type CoreLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type CoreLogCategory = 'user' | 'system' | 'customMetric';
export type CoreHookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => void | Promise<void>;
export type FunctionCallback = (...args: unknown[]) => unknown;

export interface CoreBindingInfo {
  type?: string;
  direction?: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

export interface CoreFunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, CoreBindingInfo>;
  retryOptions?: unknown;
  [other: string]: unknown;
}

export interface CoreInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata: Record<string, RpcTypedData>;
  traceContext?: unknown;
  retryContext?: unknown;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: CoreInvocationRequest;
  metadata: CoreFunctionMetadata;
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void;
}

export interface CoreInvocationResponse {
  invocationId?: string;
  outputData?: { name?: string | null; data?: RpcTypedData | null }[] | null;
  returnValue?: RpcTypedData | null;
}

export interface CoreInvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<CoreInvocationResponse>;
}

export interface CoreProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): CoreInvocationModel | Promise<CoreInvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>> | Record<string, string>;
}
