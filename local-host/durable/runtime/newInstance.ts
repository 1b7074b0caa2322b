import type { InstanceRecord, ParentRef, StoredMessage } from '../types';
import { EventType } from './eventType';
import { newMessage } from './newMessage';

/** A Pending instance and the ExecutionStarted message that starts it; commit both together. */
export function newInstance(
  args: { instanceId: string; name: string; input: string | null; parent?: ParentRef; now: number },
  newId: () => string,
): { record: InstanceRecord; message: StoredMessage } {
  const at = new Date(args.now).toISOString();
  const executionId = newId();
  const record: InstanceRecord = {
    instanceId: args.instanceId,
    name: args.name,
    executionId,
    status: 'Pending',
    input: args.input,
    output: null,
    customStatus: null,
    createdTime: at,
    lastUpdatedTime: at,
    history: [],
    engine: { nextSeq: 0, actionCount: 0, retries: {} },
    ...(args.parent ? { parent: args.parent } : {}),
  };
  const message = newMessage(newId(), {
    kind: 'orchestration',
    instanceId: args.instanceId,
    executionId,
    event: {
      EventType: EventType.ExecutionStarted,
      Name: args.name,
      Input: args.input,
      OrchestrationInstance: { InstanceId: args.instanceId, ExecutionId: executionId },
      ...(args.parent ? { ParentInstance: { OrchestrationInstance: { InstanceId: args.parent.instanceId } } } : {}),
    },
  });
  return { record, message };
}
