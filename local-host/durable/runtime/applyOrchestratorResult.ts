import { randomUUID } from 'node:crypto';

import {
  type EngineState,
  type HistoryEvent,
  type InstanceRecord,
  type ParentRef,
  type RetryPolicy,
  type StoredMessage,
  terminalStatuses,
} from '../types';
import { ActionType, EventType } from './eventType';
import { consumesTaskId, flattenActions, type OrchestratorAction } from './flattenActions';
import { historyEvent } from './historyEvent';
import { relistedFlag } from './markRelistedActions';
import { newInstance } from './newInstance';
import { newMessage } from './newMessage';
import { actionInputText, jsonText } from './textOf';

/** What the orchestrator function returned (OrchestratorState) or the message it failed with. */
export type OrchestratorOutcome =
  | { ok: true; state: { isDone?: boolean; actions?: unknown; output?: unknown; customStatus?: unknown } }
  | { ok: false; message: string; details?: string };

export interface EpisodeResult {
  instance: InstanceRecord;
  outgoing: StoredMessage[];
  /** Instances created or restarted by this episode (sub-orchestrations, continueAsNew). */
  putInstances: InstanceRecord[];
  /** Already-scheduled tasks the orchestrator passed to a new Task.any/Task.all (see markRelistedActions). */
  relisted?: number;
}

/**
 * Applies one orchestrator invocation to the instance: records new actions in history with the task ids
 * the SDK gave them, emits the work they start, and settles completion, failure or continueAsNew.
 * `instance.history` must already hold this episode's new events and `engine` the planned bookkeeping.
 */
export function applyOrchestratorResult(
  instance: InstanceRecord,
  engine: EngineState,
  outcome: OrchestratorOutcome,
  now: number,
  newId: () => string,
  /** Reads a stored instance: explicit sub-orchestration ids must not take over one that is still running. */
  existing: (instanceId: string) => InstanceRecord | undefined = () => undefined,
): EpisodeResult {
  const at = new Date(now).toISOString();
  const next: InstanceRecord = { ...instance, engine, lastUpdatedTime: at, history: [...instance.history] };
  const outgoing: StoredMessage[] = [];
  const putInstances: InstanceRecord[] = [];

  if (!outcome.ok) {
    return fail(next, outcome.message, outcome.details, at, newId, outgoing, putInstances);
  }
  const state = outcome.state;
  next.customStatus = state.customStatus === undefined ? null : JSON.stringify(state.customStatus);
  if (next.status === 'Pending' || next.status === 'ContinuedAsNew') next.status = 'Running';

  // Re-listed leaves already hold their task ids; the remaining ones are the SDK's tasks in id order.
  const all = flattenActions(state.actions);
  const leaves = all.filter((a) => a[relistedFlag] !== true);
  const relisted = all.length - leaves.length;
  const fresh = leaves.slice(engine.actionCount);
  engine.actionCount = leaves.length;
  let continueAsNew: OrchestratorAction | undefined;
  for (const action of fresh) {
    const id = consumesTaskId(action) ? engine.nextSeq++ : -1;
    const unsupported = schedule(action, id);
    if (unsupported) return fail(next, unsupported, undefined, at, newId, outgoing, putInstances);
  }

  if (state.isDone) {
    if (continueAsNew) {
      const input = actionInputText(continueAsNew.input);
      const restarted = newInstance(
        { instanceId: next.instanceId, name: next.name, input, now, ...(next.parent ? { parent: next.parent } : {}) },
        newId,
      );
      // The record keeps its creation time; a new execution id makes stale timers and results of the old one drop.
      putInstances.push({
        ...restarted.record,
        createdTime: next.createdTime,
        status: 'ContinuedAsNew',
        customStatus: next.customStatus,
      });
      outgoing.push(restarted.message);
      return { instance: putInstances.pop() as InstanceRecord, outgoing, putInstances, relisted };
    }
    const output = state.output === undefined ? null : JSON.stringify(state.output);
    next.status = 'Completed';
    next.output = output;
    next.history.push(
      historyEvent(EventType.ExecutionCompleted, at, { OrchestrationStatus: 'Completed', Result: output }),
    );
    if (next.parent) {
      outgoing.push(
        toParent(next.parent, newId, {
          EventType: EventType.SubOrchestrationInstanceCompleted,
          Result: output ?? 'null',
        }),
      );
    }
  }
  next.history.push(historyEvent(EventType.OrchestratorCompleted, at));
  return { instance: next, outgoing, putInstances, relisted };

  function schedule(action: OrchestratorAction, id: number): string | undefined {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const name = String(action.functionName);
        const input = actionInputText(action.input);
        next.history.push(historyEvent(EventType.TaskScheduled, at, { EventId: id, Name: name, Input: input }));
        outgoing.push(
          newMessage(newId(), {
            kind: 'activity',
            instanceId: next.instanceId,
            executionId: next.executionId,
            taskId: id,
            name,
            input,
          }),
        );
        if (action.actionType === ActionType.CallActivityWithRetry) {
          engine.retries[id] = {
            kind: 'activity',
            name,
            input,
            policy: action.retryOptions as RetryPolicy,
            attempt: 1,
            firstAttemptAt: now,
          };
        }
        return undefined;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const name = String(action.functionName);
        const input = jsonText(action.input);
        const childId =
          typeof action.instanceId === 'string' && action.instanceId ? action.instanceId : `${next.instanceId}:${id}`;
        if (childId === next.instanceId || childId === next.parent?.instanceId) {
          // The Durable extension throws this from the orchestrator itself (not a catchable task failure).
          return `The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration ('${childId}').`;
        }
        next.history.push(
          historyEvent(EventType.SubOrchestrationInstanceCreated, at, {
            EventId: id,
            Name: name,
            Input: input,
            InstanceId: childId,
          }),
        );
        const holder = putInstances.find((r) => r.instanceId === childId) ?? existing(childId);
        if (holder && !terminalStatuses.includes(holder.status)) {
          // Never overwrite a live instance: its history and waiting parent would be lost. The task fails instead.
          const message = `An orchestration instance with ID '${childId}' already exists and is ${holder.status}`;
          outgoing.push(
            newMessage(newId(), {
              kind: 'orchestration',
              instanceId: next.instanceId,
              executionId: next.executionId,
              event: {
                EventType: EventType.SubOrchestrationInstanceFailed,
                TaskScheduledId: id,
                Reason: message,
                Details: '',
                FailureDetails: { ErrorType: 'InvalidOperationException', ErrorMessage: message },
              },
            }),
          );
          return undefined;
        }
        const child = newInstance(
          {
            instanceId: childId,
            name,
            input,
            now,
            parent: { instanceId: next.instanceId, executionId: next.executionId, taskId: id },
          },
          newId,
        );
        putInstances.push(child.record);
        outgoing.push(child.message);
        if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
          engine.retries[id] = {
            kind: 'subOrchestration',
            name,
            input,
            policy: action.retryOptions as RetryPolicy,
            attempt: 1,
            firstAttemptAt: now,
            childInstanceId: childId,
          };
        }
        return undefined;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(action.fireAt as string | Date);
        const fireAtText = fireAt.toISOString();
        next.history.push(historyEvent(EventType.TimerCreated, at, { EventId: id, FireAt: fireAtText }));
        outgoing.push(
          newMessage(
            newId(),
            {
              kind: 'orchestration',
              instanceId: next.instanceId,
              executionId: next.executionId,
              event: { EventType: EventType.TimerFired, TimerId: id, FireAt: fireAtText },
            },
            fireAt.getTime(),
          ),
        );
        return undefined;
      }
      case ActionType.CallEntity:
      case ActionType.SignalEntity: {
        const entityId = String(action.instanceId);
        const operation = String(action.operation);
        const isSignal = action.actionType === ActionType.SignalEntity;
        const requestId = randomUUID();
        const input = action.input === undefined ? null : JSON.stringify(action.input);
        const request = {
          id: requestId,
          op: operation,
          signal: isSignal,
          input,
          parent: isSignal ? undefined : next.instanceId,
        };
        next.history.push(
          historyEvent(EventType.EventSent, at, {
            EventId: id,
            InstanceId: entityId,
            Name: 'op',
            Input: JSON.stringify(request),
          }),
        );
        outgoing.push(
          newMessage(newId(), {
            kind: 'entity',
            entityId,
            operation,
            input,
            isSignal,
            requestId,
            ...(isSignal ? {} : { parentInstanceId: next.instanceId }),
          }),
        );
        return undefined;
      }
      case ActionType.WaitForExternalEvent:
        return undefined;
      case ActionType.ContinueAsNew:
        continueAsNew = action;
        return undefined;
      case ActionType.CallHttp:
        return 'callHttp is not supported by the local host: call HTTP endpoints from an activity instead';
      case ActionType.LockEntities:
      case ActionType.ReleaseEntities:
        return 'critical sections (lockEntities) are not supported by the local host';
      default:
        return `unknown orchestrator action type ${String(action.actionType)}`;
    }
  }
}

function fail(
  next: InstanceRecord,
  message: string,
  details: string | undefined,
  at: string,
  newId: () => string,
  outgoing: StoredMessage[],
  putInstances: InstanceRecord[],
): EpisodeResult {
  const output = JSON.stringify(`Orchestrator function '${next.name}' failed: ${message}`);
  next.status = 'Failed';
  next.output = output;
  next.history.push(
    historyEvent(EventType.ExecutionCompleted, at, {
      OrchestrationStatus: 'Failed',
      Result: output,
      FailureDetails: { ErrorType: 'Error', ErrorMessage: message },
    }),
    historyEvent(EventType.OrchestratorCompleted, at),
  );
  if (next.parent) {
    outgoing.push(
      toParent(next.parent, newId, {
        EventType: EventType.SubOrchestrationInstanceFailed,
        Reason: `Sub-orchestration '${next.name}' (${next.instanceId}) failed: ${message}`,
        Details: details ?? '',
        FailureDetails: {
          ErrorType: 'OrchestrationFailure',
          ErrorMessage: `Sub-orchestration '${next.name}' failed: ${message}`,
        },
      }),
    );
  }
  return { instance: next, outgoing, putInstances };
}

/** The message that tells a waiting parent how its sub-orchestration ended, as the completion of the parent's task. */
function toParent(
  parent: ParentRef,
  newId: () => string,
  event: Omit<HistoryEvent, 'EventId' | 'IsPlayed' | 'Timestamp' | 'TaskScheduledId'>,
): StoredMessage {
  return newMessage(newId(), {
    kind: 'orchestration',
    instanceId: parent.instanceId,
    executionId: parent.executionId,
    event: { ...event, TaskScheduledId: parent.taskId },
  });
}
