import type { Page } from './types';

/**
 * Every item of a paged query, one page at a time: `page` asks for the page after the continuation it is given (none
 * for the first). Stopping early (break, return) asks for no further page.
 */
export async function* allItems<T>(
  page: (continuation: { continuationToken?: string }) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let continuationToken: string | undefined;
  do {
    const p = await page(continuationToken ? { continuationToken } : {});
    yield* p.items;
    continuationToken = p.continuationToken;
  } while (continuationToken);
}
