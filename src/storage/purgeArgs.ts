import { StorageInputError } from './StorageInputError';

/** Validated row limit of one purge or delete call: a positive integer. */
export function purgeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new StorageInputError('limit', `limit: expected a positive integer, found ${limit}`);
  return limit;
}

/** Validated cutoff of a purge given as epoch ms: a non-negative integer. */
export function purgeBeforeMs(beforeMs: number): number {
  if (!Number.isSafeInteger(beforeMs) || beforeMs < 0) {
    throw new StorageInputError('before', `before: expected a non-negative integer epoch-ms time, found ${beforeMs}`);
  }
  return beforeMs;
}
