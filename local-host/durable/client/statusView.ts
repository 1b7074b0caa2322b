import { parseJsonText } from '../runtime/textOf';
import type { HistoryEvent, InstanceSummary } from '../types';

export interface StatusOptions {
  showInput: boolean;
  showHistory: boolean;
  showHistoryOutput: boolean;
}

const historyNames: Record<number, string> = {
  0: 'ExecutionStarted',
  1: 'ExecutionCompleted',
  3: 'ExecutionTerminated',
  4: 'TaskScheduled',
  5: 'TaskCompleted',
  6: 'TaskFailed',
  7: 'SubOrchestrationInstanceCreated',
  8: 'SubOrchestrationInstanceCompleted',
  9: 'SubOrchestrationInstanceFailed',
  10: 'TimerCreated',
  11: 'TimerFired',
  14: 'EventSent',
  15: 'EventRaised',
  19: 'ExecutionSuspended',
  20: 'ExecutionResumed',
};

/** The status body the Durable extension's HTTP API returns (DurableOrchestrationStatus init). */
export function statusView(
  record: InstanceSummary & { history?: HistoryEvent[] },
  options: StatusOptions,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    input: options.showInput ? (parseJsonText(record.input) ?? null) : null,
    customStatus: parseJsonText(record.customStatus) ?? null,
    output: parseJsonText(record.output) ?? null,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
  };
  if (options.showHistory) {
    const events = (record.history ?? [])
      .filter((e) => historyNames[e.EventType] !== undefined)
      .map((e) => {
        const item: Record<string, unknown> = { EventType: historyNames[e.EventType], Timestamp: e.Timestamp };
        if (typeof e.Name === 'string') item.FunctionName = e.Name;
        if (e.EventType === 0) item.Input = options.showInput ? (parseJsonText(e.Input as string) ?? null) : undefined;
        if (e.EventType === 4 || e.EventType === 7) item.ScheduledTime = e.Timestamp;
        if (e.EventType === 10 || e.EventType === 11) item.FireAt = e.FireAt;
        if (options.showHistoryOutput && (e.EventType === 5 || e.EventType === 8))
          item.Result = parseJsonText(e.Result as string) ?? null;
        if (e.EventType === 1) {
          item.OrchestrationStatus = e.OrchestrationStatus;
          if (options.showHistoryOutput) item.Result = parseJsonText(e.Result as string) ?? null;
        }
        if (e.EventType === 6 || e.EventType === 9) {
          item.Reason = e.Reason;
          item.Details = e.Details;
        }
        return item;
      });
    // The HTTP API calls it historyEvents; durable-functions' DurableOrchestrationStatus reads `history`.
    view.historyEvents = events;
    view.history = events;
  }
  return view;
}
