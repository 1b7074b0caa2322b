import { InvocationContext } from '@azure/functions';
import type { ActivityHandler, EntityHandler, OrchestrationHandler } from 'durable-functions';

import { markOrchestratorState } from '../../local-host/durable/runtime/markRelistedActions';
import type { HostFunction, InvokeRequest, InvokeResult } from '../../local-host/extension';

type Handler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

// durable-functions' own adapters (what df.app.orchestration / df.app.entity register): the real replay executor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(fn: unknown): Handler;
  createEntityFunction(fn: unknown): Handler;
};

/**
 * Registers durable functions and invokes them in process (no host), handing trigger data to the SDK as the
 * programming model would. Shared by the durable benches and the durable runtime tests (test/local-host/durable).
 */
export class SdkInvoker {
  private readonly handlers = new Map<string, Handler>();
  readonly functions: HostFunction[] = [];

  orchestration(name: string, fn: OrchestrationHandler): this {
    // As the host's postInvocation hook does: flag re-listed actions while they are still the SDK's objects.
    const handler = sdk.createOrchestrator(fn);
    return this.add(name, 'orchestrationTrigger', async (trigger, context) =>
      markOrchestratorState(await handler(trigger, context)),
    );
  }
  activity(name: string, fn: ActivityHandler): this {
    return this.add(name, 'activityTrigger', async (input, context) => fn(input, context));
  }
  entity(name: string, fn: EntityHandler<unknown>): this {
    return this.add(name, 'entityTrigger', sdk.createEntityFunction(fn));
  }

  private add(name: string, type: string, handler: Handler): this {
    this.handlers.set(name, handler);
    const trigger = { name: 'trigger', type, direction: 'in' as const };
    this.functions.push({ name, id: name, trigger, bindings: [trigger] });
    return this;
  }

  readonly invoke = async (request: InvokeRequest): Promise<InvokeResult> => {
    const handler = this.handlers.get(request.functionName);
    if (!handler)
      throw new Error(
        `No function named '${request.functionName}' (registered: ${[...this.handlers.keys()].join(', ')})`,
      );
    const text = request.triggerData.string ?? '';
    let trigger: unknown = text;
    try {
      trigger = JSON.parse(text);
    } catch {
      // a plain string input stays a string, as in the library
    }
    const invocationId = `sdk-${request.functionName}`;
    const result = await handler(trigger, new InvocationContext({ functionName: request.functionName, invocationId }));
    return {
      invocationId,
      outputData: [],
      ...(result === undefined ? {} : { returnValue: { json: JSON.stringify(result) } }),
    };
  };
}
