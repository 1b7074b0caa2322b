import { byCreationThenId, matchesQuery } from './matchesQuery';
import type { Commit, DurableStore, EntityRecord, InstanceQuery, InstanceRecord, StoredMessage } from './types';

/** Keeps everything in process memory; copies on the way in and out so callers never share records. */
export class MemoryStore implements DurableStore {
  readonly kind = 'memory' as const;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly entities = new Map<string, EntityRecord>();

  loadMessages(): StoredMessage[] {
    return [...this.messages.values()].map((m) => structuredClone(m));
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const record = this.instances.get(instanceId);
    return record && structuredClone(record);
  }

  queryInstances(query: InstanceQuery): InstanceRecord[] {
    return [...this.instances.values()]
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
    for (const r of commit.putInstances ?? []) this.instances.set(r.instanceId, structuredClone(r));
    for (const id of commit.deleteEntities ?? []) this.entities.delete(id);
    for (const r of commit.putEntities ?? []) this.entities.set(r.entityId, { ...r });
  }

  close(): void {}
}
