import { fromRpcTypedData } from '../../../local-host/converters/fromRpcTypedData';
import type { DurableStore, InstanceRecord } from '../../../local-host/durable/types';
import type { SimHostProcess } from '../appHost';
import { checkInstance, type InstanceCheck, type InvokeOrchestrator } from './replayCheck';

/** The app's registered orchestrators, invoked through its programming model as the durable runtime invokes them. */
export function orchestratorInvoker(host: Pick<SimHostProcess, 'invoke' | 'findTrigger'>): InvokeOrchestrator {
  return async (name, trigger) => {
    const fn = host.findTrigger('orchestrationTrigger').find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn) throw new Error(`no orchestrator named '${name}' is registered`);
    const result = await host.invoke({ functionName: fn.name, triggerData: { string: JSON.stringify(trigger) } });
    return fromRpcTypedData(result.returnValue);
  };
}

/** Every instance the store holds, with its history. */
export function recordedInstances(store: DurableStore): InstanceRecord[] {
  return store
    .queryInstances({})
    .map((s) => store.getInstance(s.instanceId))
    .filter((r): r is InstanceRecord => r !== undefined);
}

/** Replays every recorded instance of `store` through the app's orchestrators (replayCheck.checkInstance). */
export async function checkRecordedOrchestrations(
  host: Pick<SimHostProcess, 'invoke' | 'findTrigger'>,
  store: DurableStore,
): Promise<InstanceCheck[]> {
  const invoke = orchestratorInvoker(host);
  const checks: InstanceCheck[] = [];
  for (const instance of recordedInstances(store)) checks.push(await checkInstance(instance, invoke));
  return checks;
}
