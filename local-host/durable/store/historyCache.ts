import type { HistoryEvent } from '../types';

interface Entry {
  executionId: string;
  events: readonly HistoryEvent[];
}

/**
 * Recently used instances' parsed history (frozen events), so an episode does not re-read and re-parse
 * every earlier event. Bounded by instance count; the store stays the source of truth.
 */
export class HistoryCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly maxInstances = 256) {}

  /** The cached events when they are exactly the stored execution's `count` events. */
  get(instanceId: string, executionId: string, count: number): readonly HistoryEvent[] | undefined {
    const entry = this.entries.get(instanceId);
    if (!entry || entry.executionId !== executionId || entry.events.length !== count) return undefined;
    this.entries.delete(instanceId);
    this.entries.set(instanceId, entry);
    return entry.events;
  }

  /** What the store last wrote for an instance, when still cached (saves a read before appending). */
  peek(instanceId: string): { executionId: string; count: number; events: readonly HistoryEvent[] } | undefined {
    const entry = this.entries.get(instanceId);
    return entry && { executionId: entry.executionId, count: entry.events.length, events: entry.events };
  }

  set(instanceId: string, executionId: string, events: readonly HistoryEvent[]): void {
    this.entries.delete(instanceId);
    this.entries.set(instanceId, { executionId, events });
    if (this.entries.size > this.maxInstances) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(instanceId: string): void {
    this.entries.delete(instanceId);
  }
}
