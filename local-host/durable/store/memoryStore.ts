import type {
  Commit,
  DurableStore,
  EntityRecord,
  HistoryEvent,
  InstanceQuery,
  InstanceRecord,
  InstanceSummary,
  StoredMessage,
} from '../types';
import { deepFreeze } from './deepFreeze';
import { byCreationThenId, matchesQuery } from './matchesQuery';

interface StoredInstance {
  summary: InstanceSummary;
  /** Frozen, so reads can share them instead of copying the whole history every episode. */
  history: readonly HistoryEvent[];
}

/** Keeps everything in process memory; copies on the way in and out so callers never share mutable records. */
export class MemoryStore implements DurableStore {
  readonly kind = 'memory' as const;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly instances = new Map<string, StoredInstance>();
  private readonly entities = new Map<string, EntityRecord>();

  loadMessages(): StoredMessage[] {
    return [...this.messages.values()].map((m) => structuredClone(m));
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const stored = this.instances.get(instanceId);
    return stored && { ...structuredClone(stored.summary), history: [...stored.history] };
  }

  queryInstances(query: InstanceQuery): InstanceSummary[] {
    return [...this.instances.values()]
      .map((s) => s.summary)
      .filter((r) => matchesQuery(r, query))
      .sort(byCreationThenId)
      .map((r) => structuredClone(r));
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const record = this.entities.get(entityId);
    return record && { ...record };
  }

  commit(commit: Commit): void {
    for (const id of commit.deleteMessages ?? []) this.messages.delete(id);
    for (const m of commit.addMessages ?? []) this.messages.set(m.id, structuredClone(m));
    for (const id of commit.deleteInstances ?? []) this.instances.delete(id);
    for (const { history, ...summary } of commit.putInstances ?? []) {
      this.instances.set(summary.instanceId, {
        summary: structuredClone(summary),
        history: history.map((e) => (Object.isFrozen(e) ? e : deepFreeze(structuredClone(e)))),
      });
    }
    for (const id of commit.deleteEntities ?? []) this.entities.delete(id);
    for (const r of commit.putEntities ?? []) this.entities.set(r.entityId, { ...r });
  }

  close(): void {}
}
