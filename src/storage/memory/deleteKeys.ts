import { purgeLimit } from '../purgeArgs';
import type { PurgeResult } from '../types';

/** Deletes at most `limit` of the matching keys of a map (in key order, as a Table scan would meet them). */
export function deleteKeys<K, V>(rows: Map<K, V>, matches: (key: K, value: V) => boolean, limit: number): PurgeResult {
  const max = purgeLimit(limit);
  const keys = [...rows.entries()].filter(([k, v]) => matches(k, v)).map(([k]) => k);
  keys.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  for (const key of keys.slice(0, max)) rows.delete(key);
  return { deleted: Math.min(max, keys.length), more: keys.length > max };
}
