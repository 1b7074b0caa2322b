import type { StoredMessage } from '../types';

/**
 * The in-process view of the persisted queue: visible messages grouped by target, delayed ones held
 * until their time. The store stays the source of truth; this is rebuilt from it on start.
 */
export class WorkQueue {
  private readonly byTarget = new Map<string, Map<string, StoredMessage>>();
  private delayed: StoredMessage[] = [];
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly parked = new Set<string>();

  add(message: StoredMessage, now: number): void {
    if (message.visibleAt > now) {
      this.delayed.push(message);
      return;
    }
    let messages = this.byTarget.get(message.target);
    if (!messages) this.byTarget.set(message.target, (messages = new Map()));
    messages.set(message.id, message);
    const body = message.body;
    if (body.kind === 'orchestration' && body.control) this.parked.delete(message.target);
    if (!this.busy.has(message.target) && !this.parked.has(message.target)) this.ready.add(message.target);
  }

  remove(ids: readonly string[], target: string): void {
    const messages = this.byTarget.get(target);
    if (!messages) return;
    for (const id of ids) messages.delete(id);
    if (messages.size === 0) this.byTarget.delete(target);
  }

  /** Moves due delayed messages in; returns the next due time, if any remain. */
  promote(now: number): number | undefined {
    if (this.delayed.length === 0) return undefined;
    const due = this.delayed.filter((m) => m.visibleAt <= now);
    if (due.length > 0) {
      this.delayed = this.delayed.filter((m) => m.visibleAt > now);
      for (const m of due) this.add({ ...m, visibleAt: 0 }, now);
    }
    let next: number | undefined;
    for (const m of this.delayed) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  /** Claims the next ready target and a snapshot of its messages (at most `limit`). */
  take(limit: number): { target: string; messages: StoredMessage[] } | undefined {
    for (const target of this.ready) {
      this.ready.delete(target);
      const messages = this.byTarget.get(target);
      if (!messages || messages.size === 0) continue;
      this.busy.add(target);
      return { target, messages: [...messages.values()].slice(0, limit) };
    }
    return undefined;
  }

  /** Ends a claim; `park` holds the target (a suspended orchestration) until a control message arrives. */
  release(target: string, park = false): void {
    this.busy.delete(target);
    if (park) this.parked.add(target);
    else if (this.byTarget.has(target)) this.ready.add(target);
  }

  retryLater(target: string): void {
    this.busy.delete(target);
  }

  markReady(target: string): void {
    if (!this.busy.has(target) && this.byTarget.has(target)) this.ready.add(target);
  }

  get size(): number {
    let n = this.delayed.length;
    for (const m of this.byTarget.values()) n += m.size;
    return n;
  }
}
