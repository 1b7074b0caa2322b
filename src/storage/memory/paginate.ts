import { decodeContinuationToken, encodeContinuationToken, isOffset } from '../continuationToken';
import { pageSize } from '../pageSize';
import type { Page, PageOptions } from '../types';

/** Offset paging over an already filtered and sorted list, with the same opaque tokens as the Table stores. */
export function paginate<T>(sorted: T[], options: PageOptions): Page<T> {
  const limit = pageSize(options.limit);
  const offset =
    options.continuationToken === undefined ? 0 : Number(decodeContinuationToken(options.continuationToken, isOffset));
  const start = offset;
  const items = sorted.slice(start, start + limit);
  const next = start + limit;
  return next < sorted.length ? { items, continuationToken: encodeContinuationToken(String(next)) } : { items };
}
