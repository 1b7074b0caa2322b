import type { TableClient, TableEntityResult } from '@azure/data-tables';

import { decodeContinuationToken, encodeContinuationToken, isTableSdkToken } from '../continuationToken';
import { pageSize } from '../pageSize';
import type { Page, PageOptions } from '../types';

/** One service page of a filtered query, with the SDK's continuation token wrapped as our opaque token. */
export async function firstPage<T>(
  client: TableClient,
  filter: string | undefined,
  options: PageOptions,
  map: (entity: TableEntityResult<Record<string, unknown>>) => T,
): Promise<Page<T>> {
  const maxPageSize = pageSize(options.limit);
  const continuationToken =
    options.continuationToken === undefined
      ? undefined
      : decodeContinuationToken(options.continuationToken, isTableSdkToken);
  const pages = client
    .listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} })
    .byPage({ maxPageSize, continuationToken });
  const { value, done } = await pages.next();
  if (done || !value) return { items: [] };
  const items = value.map(map);
  return value.continuationToken
    ? { items, continuationToken: encodeContinuationToken(value.continuationToken) }
    : { items };
}

/** Every entity matching the filter (for small tables such as Pipelines). */
export async function allEntities(
  client: TableClient,
  filter?: string,
): Promise<TableEntityResult<Record<string, unknown>>[]> {
  const out: TableEntityResult<Record<string, unknown>>[] = [];
  for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} }))
    out.push(entity);
  return out;
}
