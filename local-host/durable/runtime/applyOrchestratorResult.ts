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
  const ep: Episode = { next, engine, at, now, newId, existing, outgoing: [], putInstances: [] };

  if (!outcome.ok) return fail(ep, outcome.message, outcome.details);
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
    if (action.actionType === ActionType.ContinueAsNew) continueAsNew = action;
    const unsupported = schedule(ep, action, id);
    if (unsupported) return fail(ep, unsupported, undefined);
  }
  if (state.isDone && continueAsNew) return { ...restart(ep, continueAsNew), relisted };
  if (state.isDone) complete(ep, state.output);
  next.history.push(historyEvent(EventType.OrchestratorCompleted, at));
  return { instance: next, outgoing: ep.outgoing, putInstances: ep.putInstances, relisted };
}

/** One episode being applied: the instance as it becomes, and what the episode writes besides it. */
interface Episode {
  next: InstanceRecord;
  engine: EngineState;
  at: string;
  now: number;
  newId: () => string;
  existing: (instanceId: string) => InstanceRecord | undefined;
  outgoing: StoredMessage[];
  putInstances: InstanceRecord[];
}

/** Records one new action in history and emits the work it starts; returns why it cannot run, if it cannot. */
function schedule(ep: Episode, action: OrchestratorAction, id: number): string | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return scheduleActivity(ep, action, id);
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return scheduleSubOrchestration(ep, action, id);
    case ActionType.CreateTimer:
      return scheduleTimer(ep, action, id);
    case ActionType.CallEntity:
    case ActionType.SignalEntity:
      return sendToEntity(ep, action, id);
    case ActionType.WaitForExternalEvent:
    case ActionType.ContinueAsNew:
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

function scheduleActivity(ep: Episode, action: OrchestratorAction, id: number): undefined {
  const name = String(action.functionName);
  const input = actionInputText(action.input);
  ep.next.history.push(historyEvent(EventType.TaskScheduled, ep.at, { EventId: id, Name: name, Input: input }));
  ep.outgoing.push(
    newMessage(ep.newId(), {
      kind: 'activity',
      instanceId: ep.next.instanceId,
      executionId: ep.next.executionId,
      taskId: id,
      name,
      input,
    }),
  );
  if (action.actionType === ActionType.CallActivityWithRetry) {
    ep.engine.retries[id] = {
      kind: 'activity',
      name,
      input,
      policy: action.retryOptions as RetryPolicy,
      attempt: 1,
      firstAttemptAt: ep.now,
    };
  }
  return undefined;
}

function scheduleSubOrchestration(ep: Episode, action: OrchestratorAction, id: number): string | undefined {
  const name = String(action.functionName);
  const input = jsonText(action.input);
  const childId =
    typeof action.instanceId === 'string' && action.instanceId ? action.instanceId : `${ep.next.instanceId}:${id}`;
  if (childId === ep.next.instanceId || childId === ep.next.parent?.instanceId) {
    // The Durable extension throws this from the orchestrator itself (not a catchable task failure).
    return `The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration ('${childId}').`;
  }
  ep.next.history.push(
    historyEvent(EventType.SubOrchestrationInstanceCreated, ep.at, {
      EventId: id,
      Name: name,
      Input: input,
      InstanceId: childId,
    }),
  );
  const holder = ep.putInstances.find((r) => r.instanceId === childId) ?? ep.existing(childId);
  if (holder && !terminalStatuses.includes(holder.status)) {
    // Never overwrite a live instance: its history and waiting parent would be lost. The task fails instead.
    const message = `An orchestration instance with ID '${childId}' already exists and is ${holder.status}`;
    ep.outgoing.push(
      newMessage(ep.newId(), {
        kind: 'orchestration',
        instanceId: ep.next.instanceId,
        executionId: ep.next.executionId,
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
      now: ep.now,
      parent: { instanceId: ep.next.instanceId, executionId: ep.next.executionId, taskId: id },
    },
    ep.newId,
  );
  ep.putInstances.push(child.record);
  ep.outgoing.push(child.message);
  if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
    ep.engine.retries[id] = {
      kind: 'subOrchestration',
      name,
      input,
      policy: action.retryOptions as RetryPolicy,
      attempt: 1,
      firstAttemptAt: ep.now,
      childInstanceId: childId,
    };
  }
  return undefined;
}

function scheduleTimer(ep: Episode, action: OrchestratorAction, id: number): undefined {
  const fireAt = new Date(action.fireAt as string | Date);
  const fireAtText = fireAt.toISOString();
  ep.next.history.push(historyEvent(EventType.TimerCreated, ep.at, { EventId: id, FireAt: fireAtText }));
  ep.outgoing.push(
    newMessage(
      ep.newId(),
      {
        kind: 'orchestration',
        instanceId: ep.next.instanceId,
        executionId: ep.next.executionId,
        event: { EventType: EventType.TimerFired, TimerId: id, FireAt: fireAtText },
      },
      fireAt.getTime(),
    ),
  );
  return undefined;
}

function sendToEntity(ep: Episode, action: OrchestratorAction, id: number): undefined {
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
    parent: isSignal ? undefined : ep.next.instanceId,
  };
  ep.next.history.push(
    historyEvent(EventType.EventSent, ep.at, {
      EventId: id,
      InstanceId: entityId,
      Name: 'op',
      Input: JSON.stringify(request),
    }),
  );
  ep.outgoing.push(
    newMessage(ep.newId(), {
      kind: 'entity',
      entityId,
      operation,
      input,
      isSignal,
      requestId,
      ...(isSignal ? {} : { parentInstanceId: ep.next.instanceId }),
    }),
  );
  return undefined;
}

/** continueAsNew: the same instance id restarted as a new execution with the new input. */
function restart(ep: Episode, continueAsNew: OrchestratorAction): EpisodeResult {
  const { next, putInstances, outgoing } = ep;
  const input = actionInputText(continueAsNew.input);
  const restarted = newInstance(
    {
      instanceId: next.instanceId,
      name: next.name,
      input,
      now: ep.now,
      ...(next.parent ? { parent: next.parent } : {}),
    },
    ep.newId,
  );
  // The record keeps its creation time; a new execution id makes stale timers and results of the old one drop.
  putInstances.push({
    ...restarted.record,
    createdTime: next.createdTime,
    status: 'ContinuedAsNew',
    customStatus: next.customStatus,
  });
  outgoing.push(restarted.message);
  return { instance: putInstances.pop() as InstanceRecord, outgoing, putInstances };
}

/** The orchestrator finished: Completed with its output, and its waiting parent told. */
function complete(ep: Episode, result: unknown): void {
  const { next, at } = ep;
  const output = result === undefined ? null : JSON.stringify(result);
  next.status = 'Completed';
  next.output = output;
  next.history.push(
    historyEvent(EventType.ExecutionCompleted, at, { OrchestrationStatus: 'Completed', Result: output }),
  );
  if (next.parent) {
    ep.outgoing.push(
      toParent(next.parent, ep.newId, {
        EventType: EventType.SubOrchestrationInstanceCompleted,
        Result: output ?? 'null',
      }),
    );
  }
}

function fail(ep: Episode, message: string, details: string | undefined): EpisodeResult {
  const { next, at, newId, outgoing, putInstances } = ep;
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
