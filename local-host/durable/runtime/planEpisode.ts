import type { EngineState, HistoryEvent, InstanceRecord, OrchestrationMessage, StoredMessage } from '../types';
import { EventType } from './eventType';
import { historyEvent } from './historyEvent';
import { newMessage } from './newMessage';
import { retryDelay } from './retryDelay';

export interface EpisodePlan {
  /** OrchestratorStarted followed by the batch's events, retry bookkeeping first. */
  newEvents: HistoryEvent[];
  engine: EngineState;
  outgoing: StoredMessage[];
  /** Sub-orchestrations to (re)start for retry attempts. */
  restartChildren: { instanceId: string; name: string; input: string; taskId: number }[];
}

/**
 * Turns a batch of orchestration messages into new history events and settles retries. Events that make
 * the SDK hand out a task id without resuming user code (a retryable attempt failing, a retry timer
 * starting a new attempt) go first, so the ids they take are exactly nextSeq, nextSeq+1, ...; the
 * orchestrator's own new actions then take the ids after them.
 */
export function planEpisode(
  instance: InstanceRecord,
  messages: readonly OrchestrationMessage[],
  now: number,
  newId: () => string,
): EpisodePlan {
  const at = new Date(now).toISOString();
  const engine: EngineState = structuredClone(instance.engine);
  const allocating: HistoryEvent[] = [];
  const rest: HistoryEvent[] = [];
  const outgoing: StoredMessage[] = [];
  const restartChildren: EpisodePlan['restartChildren'] = [];

  for (const message of messages) {
    const event = message.event;
    if (!event) continue;
    const full = historyEvent(event.EventType as number, at, event);
    const isFailure =
      event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;
    const isSuccess =
      event.EventType === EventType.TaskCompleted || event.EventType === EventType.SubOrchestrationInstanceCompleted;
    if (isFailure || isSuccess) {
      const taskId = event.TaskScheduledId as number;
      const entry = engine.retries[taskId];
      if (entry && !entry.waitingOnTimer && isFailure) {
        const timerId = engine.nextSeq++;
        const delay = retryDelay(entry.policy, entry.attempt, now - entry.firstAttemptAt);
        const fireAt = new Date(now + (delay ?? 0)).toISOString();
        entry.waitingOnTimer = { timerId, exhausted: delay === undefined };
        delete engine.retries[taskId];
        engine.retries[timerId] = entry;
        allocating.push(full, historyEvent(EventType.TimerCreated, at, { EventId: timerId, FireAt: fireAt }));
        outgoing.push(
          newMessage(
            newId(),
            {
              kind: 'orchestration',
              instanceId: instance.instanceId,
              executionId: instance.executionId,
              event: { EventType: EventType.TimerFired, TimerId: timerId, FireAt: fireAt },
            },
            now + (delay ?? 0),
          ),
        );
        continue;
      }
      if (entry && !entry.waitingOnTimer) delete engine.retries[taskId];
      rest.push(full);
      continue;
    }
    if (event.EventType === EventType.TimerFired) {
      const timerId = event.TimerId as number;
      const entry = engine.retries[timerId];
      if (entry?.waitingOnTimer?.timerId === timerId) {
        delete engine.retries[timerId];
        if (entry.waitingOnTimer.exhausted) {
          rest.push(full);
          continue;
        }
        const attemptId = engine.nextSeq++;
        entry.attempt += 1;
        delete entry.waitingOnTimer;
        engine.retries[attemptId] = entry;
        allocating.push(full);
        if (entry.kind === 'activity') {
          allocating.push(
            historyEvent(EventType.TaskScheduled, at, { EventId: attemptId, Name: entry.name, Input: entry.input }),
          );
          outgoing.push(
            newMessage(newId(), {
              kind: 'activity',
              instanceId: instance.instanceId,
              executionId: instance.executionId,
              taskId: attemptId,
              name: entry.name,
              input: entry.input,
            }),
          );
        } else {
          const childId = entry.childInstanceId ?? `${instance.instanceId}:${attemptId}`;
          allocating.push(
            historyEvent(EventType.SubOrchestrationInstanceCreated, at, {
              EventId: attemptId,
              Name: entry.name,
              Input: entry.input,
              InstanceId: childId,
            }),
          );
          restartChildren.push({ instanceId: childId, name: entry.name, input: entry.input, taskId: attemptId });
        }
        continue;
      }
    }
    rest.push(full);
  }

  const started = historyEvent(EventType.OrchestratorStarted, at);
  return { newEvents: [started, ...allocating, ...rest], engine, outgoing, restartChildren };
}
