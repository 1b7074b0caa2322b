import { StorageInputError } from './StorageInputError';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './types';

/** Validated page size: 1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new StorageInputError('limit', `limit: expected an integer from 1 to ${MAX_PAGE_SIZE}, found ${limit}`);
  }
  return limit;
}
