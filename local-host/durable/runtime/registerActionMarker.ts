import type { HostLogger } from '../../extension';
import { markOrchestratorState } from './markRelistedActions';

interface PostInvocationContext {
  invocationContext?: { options?: { trigger?: { type?: unknown } } };
  result?: unknown;
}

interface CoreApi {
  registerHook(name: 'postInvocation', callback: (context: PostInvocationContext) => void): { dispose(): unknown };
}

/**
 * Registers a worker-level postInvocation hook that flags re-listed actions in every orchestrator result
 * while it is still the SDK's object graph (see markRelistedActions). Uses the same `@azure/functions-core`
 * the host provides to the app, so it runs for every app the host loads. Returns a disposer.
 */
export function registerActionMarker(logger: HostLogger): () => void {
  let core: CoreApi;
  try {
    // Resolved by the host's require proxy, exactly as @azure/functions resolves it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    core = require('@azure/functions-core') as CoreApi;
  } catch {
    logger.warn(
      'durable: @azure/functions-core is not available; tasks re-yielded in a new Task.any/Task.all may be scheduled twice',
    );
    return () => {};
  }
  const hook = core.registerHook('postInvocation', (context) => {
    if (context.invocationContext?.options?.trigger?.type !== 'orchestrationTrigger') return;
    context.result = markOrchestratorState(context.result);
  });
  return () => void hook.dispose();
}
