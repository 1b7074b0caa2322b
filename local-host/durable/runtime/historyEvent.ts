import type { HistoryEvent } from '../types';

export function historyEvent(eventType: number, timestamp: string, fields: Record<string, unknown> = {}): HistoryEvent {
  return { EventId: -1, IsPlayed: false, ...fields, EventType: eventType, Timestamp: timestamp };
}
