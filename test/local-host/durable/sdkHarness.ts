import { InvocationContext } from '@azure/functions';
import type { ActivityHandler, EntityHandler, OrchestrationHandler } from 'durable-functions';

import { DurableRuntime } from '../../../local-host/durable/durableRuntime';
import { markOrchestratorState } from '../../../local-host/durable/markRelistedActions';
import type { DurableStore } from '../../../local-host/durable/types';
import type { HostFunction, HostLogger, InvokeRequest, InvokeResult } from '../../../local-host/extension';

type Handler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

// The SDK's own adapters (what df.app.orchestration / df.app.entity register), so replay runs the real executor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(fn: unknown): Handler;
  createEntityFunction(fn: unknown): Handler;
};

/**
 * Runs the durable runtime against durable-functions' real orchestrator/entity/activity handlers in
 * process (no host): the invoke hook hands trigger data to the SDK exactly as the programming model would.
 */
export class SdkHarness {
  private readonly handlers = new Map<string, Handler>();
  private readonly functions: HostFunction[] = [];
  private readonly orchestrations = new Set<string>();
  runtime!: DurableRuntime;
  readonly logs: string[] = [];

  orchestration(name: string, fn: OrchestrationHandler): this {
    this.orchestrations.add(name);
    return this.add(name, 'orchestrationTrigger', sdk.createOrchestrator(fn));
  }
  activity(name: string, fn: ActivityHandler): this {
    return this.add(name, 'activityTrigger', fn as Handler);
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

  start(store: DurableStore, now?: () => number): DurableRuntime {
    const logger: HostLogger = {
      debug: (m) => this.logs.push(m),
      info: (m) => this.logs.push(m),
      warn: (m) => this.logs.push(m),
      error: (m) => this.logs.push(m),
    };
    this.runtime = new DurableRuntime({ store, functions: this.functions, invoke: (r) => this.invoke(r), logger, ...(now ? { now } : {}) });
    this.runtime.start();
    return this.runtime;
  }

  private async invoke(request: InvokeRequest): Promise<InvokeResult> {
    const handler = this.handlers.get(request.functionName);
    if (!handler) throw new Error(`no handler ${request.functionName}`);
    const text = request.triggerData.string ?? '';
    let trigger: unknown = text;
    try {
      trigger = JSON.parse(text);
    } catch {
      // plain string input, as the library would pass it
    }
    const context = new InvocationContext({ functionName: request.functionName, invocationId: 'x' });
    // What the durable extension's postInvocation hook does in the host, before the result is serialized.
    const raw = await handler(trigger, context);
    const result = request.functionName && this.orchestrations.has(request.functionName) ? markOrchestratorState(raw) : raw;
    return { invocationId: 'x', outputData: [], ...(result === undefined ? {} : { returnValue: { json: JSON.stringify(result) } }) };
  }

  async waitForStatus(instanceId: string, done: (s: string) => boolean = (s) => ['Completed', 'Failed', 'Terminated'].includes(s), timeoutMs = 20000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const record = this.runtime.store.getInstance(instanceId);
      if (record && done(record.status)) return record;
      if (Date.now() > until) throw new Error(`instance ${instanceId} still ${record?.status ?? 'missing'}; logs:\n${this.logs.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
