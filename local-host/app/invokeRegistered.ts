import { randomUUID } from 'node:crypto';

import { appError, ensureError } from '../errors';
import type {
  BindingInfo,
  HostExtension,
  HostFunction,
  HostLogger,
  InvokeRequest,
  InvokeResult,
  ParameterBinding,
  RpcTypedData,
} from '../extension';
import type { CoreInvocationContext, CoreLogCategory, CoreLogLevel, CoreProgrammingModel } from './coreTypes';
import type { CoreApiState, Registration } from './installCoreApi';
import { runHooks } from './runHooks';
import { toHostLogLevel } from './toHostLogLevel';

export interface InvokeDeps {
  core: CoreApiState;
  model: CoreProgrammingModel;
  logger: HostLogger;
  /** Owning extension by lower-case binding type. */
  owners: ReadonlyMap<string, HostExtension>;
}

/**
 * One invocation as the Node worker's InvocationHandler runs it: core context -> invocation model ->
 * arguments -> preInvocation hooks -> function -> postInvocation hooks -> response; then extension-owned
 * outputs are handed to their extensions.
 */
export async function invokeRegistered(
  deps: InvokeDeps,
  fn: HostFunction,
  registration: Registration,
  req: InvokeRequest,
): Promise<InvokeResult> {
  const { core, model, logger, owners } = deps;
  const invocationId = req.invocationId ?? randomUUID();
  const started = process.hrtime.bigint();
  logger.info(`Executing 'Functions.${fn.name}' (Id=${invocationId})`);

  const inputData: ParameterBinding[] = [{ name: fn.trigger.name, data: req.triggerData }];
  for (const binding of fn.bindings) {
    if (binding === fn.trigger || binding.direction !== 'in') continue;
    inputData.push({ name: binding.name, data: extensionInput(owners, fn, binding) });
  }

  let invocationContext: unknown;
  const hookData: Record<string, unknown> = {};
  const coreCtx: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId: fn.id,
      inputData,
      triggerMetadata: req.triggerMetadata ?? {},
      ...(req.retryContext ? { retryContext: req.retryContext } : {}),
    },
    metadata: registration.metadata,
    log: (level, category, message) =>
      emitLog(deps, fn.name, invocationId, level, category, message, hookData, invocationContext),
  };

  try {
    const invocationModel = await model.getInvocationModel(coreCtx);
    const args = await invocationModel.getArguments();
    invocationContext = args.context;
    const pre: Record<string, unknown> = {
      hookData,
      appHookData: core.appHookData,
      invocationContext: args.context,
      functionCallback: registration.callback,
      inputs: args.inputs,
    };
    await withState(coreCtx, 'preInvocationHooks', () => runHooks(core.hooks.preInvocation, pre));
    const inputs = pre.inputs as unknown[];
    const post: Record<string, unknown> = {
      hookData,
      appHookData: core.appHookData,
      invocationContext: args.context,
      inputs,
      result: null,
      error: null,
    };
    await withState(coreCtx, 'invocation', async () => {
      try {
        post.result = await invocationModel.invokeFunction(
          args.context,
          inputs,
          pre.functionCallback as Registration['callback'],
        );
      } catch (err) {
        post.error = err;
      }
    });
    await withState(coreCtx, 'postInvocationHooks', () => runHooks(core.hooks.postInvocation, post));
    if (post.error !== null && post.error !== undefined) throw post.error;

    const response = await invocationModel.getResponse(args.context, post.result);
    const result = toInvokeResult(invocationId, response);
    await deliverOutputs(owners, fn, result);
    logger.info(`Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${elapsedMs(started)}ms)`);
    return result;
  } catch (err) {
    const error = ensureError(err);
    logger.error(
      `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${elapsedMs(started)}ms): ${error.message}`,
    );
    throw error;
  }
}

function extensionInput(
  owners: ReadonlyMap<string, HostExtension>,
  fn: HostFunction,
  binding: BindingInfo,
): RpcTypedData {
  const owner = owners.get(binding.type.toLowerCase());
  if (!owner?.inputData) {
    throw appError(
      `Function "${fn.name}" input binding "${binding.name}" (type "${binding.type}") has no provider in the local host.`,
    );
  }
  return owner.inputData(fn, binding);
}

async function deliverOutputs(
  owners: ReadonlyMap<string, HostExtension>,
  fn: HostFunction,
  result: InvokeResult,
): Promise<void> {
  const produced: ParameterBinding[] = [...result.outputData];
  if (result.returnValue) produced.push({ name: '$return', data: result.returnValue });
  for (const { name, data } of produced) {
    const binding = fn.bindings.find((b) => b.name === name && b.direction !== 'in');
    if (!binding) continue;
    const owner = owners.get(binding.type.toLowerCase());
    if (owner?.handleOutput) await owner.handleOutput(fn, binding, data);
  }
}

function toInvokeResult(
  invocationId: string,
  response: Awaited<ReturnType<Awaited<ReturnType<CoreProgrammingModel['getInvocationModel']>>['getResponse']>>,
): InvokeResult {
  const outputData: ParameterBinding[] = [];
  for (const item of response.outputData ?? []) {
    if (!item.name || !item.data) continue;
    outputData.push({ name: item.name, data: item.data });
  }
  return response.returnValue
    ? { invocationId, outputData, returnValue: response.returnValue }
    : { invocationId, outputData };
}

async function withState<T>(
  ctx: CoreInvocationContext,
  state: CoreInvocationContext['state'],
  run: () => Promise<T>,
): Promise<T> {
  ctx.state = state;
  try {
    return await run();
  } finally {
    ctx.state = undefined;
  }
}

function emitLog(
  deps: InvokeDeps,
  fnName: string,
  invocationId: string,
  level: CoreLogLevel,
  category: CoreLogCategory,
  message: string,
  hookData: Record<string, unknown>,
  invocationContext: unknown,
): void {
  // Log hooks may rewrite level and message, like the worker's LogHookContext allows.
  const hookCtx = { level, message, category, hookData, appHookData: deps.core.appHookData, invocationContext };
  for (const hook of deps.core.hooks.log) {
    try {
      const pending = hook(hookCtx);
      if (pending instanceof Promise) pending.catch(() => undefined);
    } catch (err) {
      deps.logger.warn(`A log hook threw: ${ensureError(err).message}`);
    }
  }
  const method = toHostLogLevel(hookCtx.level);
  if (!method) return;
  if (category === 'system' && (method === 'debug' || method === 'info')) {
    deps.logger.debug(`[${fnName}] (Id=${invocationId}) ${hookCtx.message}`);
  } else {
    deps.logger[method](`[${fnName}] ${hookCtx.message}`);
  }
}

function elapsedMs(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}
