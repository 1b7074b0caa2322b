import type { Commit, InstanceRecord } from '../types';
import { EventType } from './eventType';
import { historyEvent } from './historyEvent';
import { newMessage } from './newMessage';

/**
 * What a terminate request writes: the instance Terminated with the reason as its output and in its history, every
 * pending message of the episode consumed, and a SubOrchestrationInstanceFailed for its parent if it has one.
 */
export function terminationCommit(
  instance: InstanceRecord,
  reason: string | undefined,
  messageIds: string[],
  at: string,
  newId: () => string,
): Commit {
  const output = JSON.stringify(reason ?? '');
  const history = [...instance.history, historyEvent(EventType.ExecutionTerminated, at, { Input: reason ?? '' })];
  const commit: Commit = {
    deleteMessages: messageIds,
    putInstances: [{ ...instance, status: 'Terminated', output, lastUpdatedTime: at, history }],
  };
  if (instance.parent) {
    commit.addMessages = [
      newMessage(newId(), {
        kind: 'orchestration',
        instanceId: instance.parent.instanceId,
        executionId: instance.parent.executionId,
        event: {
          EventType: EventType.SubOrchestrationInstanceFailed,
          TaskScheduledId: instance.parent.taskId,
          Reason: `Sub-orchestration '${instance.name}' (${instance.instanceId}) was terminated: ${reason ?? ''}`,
          Details: '',
        },
      }),
    ];
  }
  return commit;
}
