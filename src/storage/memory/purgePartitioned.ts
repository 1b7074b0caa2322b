import { purgeLimit } from '../purgeArgs';
import type { PurgeResult } from '../types';
import { deleteKeys } from './deleteKeys';

/**
 * Deletes at most `limit` expired rows of partitioned rows (partition key -> RowKey -> row), partitions in key order as
 * a Table scan meets them; `more` says whether expired rows were left. `afterPartition` runs after each partition
 * purged (dropping bookkeeping, an emptied partition).
 */
export function purgePartitioned<V>(
  partitions: Map<string, Map<string, V>>,
  expired: (key: string, rowKey: string) => boolean,
  limit: number,
  afterPartition: (key: string, partition: Map<string, V>) => void,
): PurgeResult {
  let left = purgeLimit(limit);
  let deleted = 0;
  let more = false;
  for (const key of [...partitions.keys()].sort()) {
    const partition = partitions.get(key) as Map<string, V>;
    if (left === 0) {
      more ||= [...partition.keys()].some((rk) => expired(key, rk));
      continue;
    }
    const result = deleteKeys(partition, (rk) => expired(key, rk), left);
    deleted += result.deleted;
    left -= result.deleted;
    more ||= result.more;
    afterPartition(key, partition);
  }
  return { deleted, more };
}

/** A partition's rows with RowKey in [low, high) (either bound optional), in RowKey order, as copies by `copy`. */
export function rowsBetween<V>(
  partition: Map<string, V> | undefined,
  low: string | undefined,
  high: string | undefined,
  copy: (row: V) => V,
): V[] {
  return [...(partition ?? new Map<string, V>()).entries()]
    .filter(([rk]) => (low === undefined || rk >= low) && (high === undefined || rk < high))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, row]) => copy(row));
}
