import type { InstanceQuery, InstanceSummary } from '../types';

export function matchesQuery(record: InstanceSummary, query: InstanceQuery): boolean {
  if (query.createdTimeFrom !== undefined && record.createdTime < query.createdTimeFrom) return false;
  if (query.createdTimeTo !== undefined && record.createdTime > query.createdTimeTo) return false;
  if (query.runtimeStatus && query.runtimeStatus.length > 0 && !query.runtimeStatus.includes(record.status))
    return false;
  if (query.instanceIdPrefix !== undefined && !record.instanceId.startsWith(query.instanceIdPrefix)) return false;
  return true;
}

export function byCreationThenId(a: InstanceSummary, b: InstanceSummary): number {
  if (a.createdTime !== b.createdTime) return a.createdTime < b.createdTime ? -1 : 1;
  return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}
