import { SdkInvoker } from '../../../bench/durable/sdkInvoker';
import { DurableRuntime } from '../../../local-host/durable/runtime/durableRuntime';
import type { DurableStore } from '../../../local-host/durable/types';
import type { HostLogger } from '../../../local-host/extension';

/** A stored JSON text (instance output, entity state) as its value; null stays null. */
export const parseOutput = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/**
 * Runs the durable runtime against durable-functions' real orchestrator/entity/activity handlers in
 * process (no host): registration and invocation are the benches' SdkInvoker, so both drive the SDK the same way.
 */
export class SdkHarness extends SdkInvoker {
  runtime!: DurableRuntime;
  readonly logs: string[] = [];

  start(store: DurableStore, now?: () => number): DurableRuntime {
    const logger: HostLogger = {
      debug: (m) => this.logs.push(m),
      info: (m) => this.logs.push(m),
      warn: (m) => this.logs.push(m),
      error: (m) => this.logs.push(m),
    };
    this.runtime = new DurableRuntime({
      store,
      functions: this.functions,
      invoke: this.invoke,
      logger,
      ...(now ? { now } : {}),
    });
    this.runtime.start();
    return this.runtime;
  }

  /** Stops the runtime (waiting for work in flight) and closes its store. */
  async stop(): Promise<void> {
    await this.runtime.stop();
    this.runtime.store.close();
  }

  async waitForStatus(
    instanceId: string,
    done: (s: string) => boolean = (s) => ['Completed', 'Failed', 'Terminated'].includes(s),
    timeoutMs = 20000,
  ) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const record = this.runtime.store.getInstance(instanceId);
      if (record && done(record.status)) return record;
      if (Date.now() > until)
        throw new Error(
          `instance ${instanceId} still ${record?.status ?? 'missing'}; logs:\n${this.logs.slice(-20).join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
