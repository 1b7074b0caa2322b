import { allItems } from './allItems';
import type { Page } from './types';

describe('allItems', () => {
  const pages: Page<number>[] = [
    { items: [1, 2], continuationToken: 'a' },
    { items: [], continuationToken: 'b' },
    { items: [3] },
  ];

  it('walks every page in order, passing each continuation and none for the first', async () => {
    const asked: { continuationToken?: string }[] = [];
    const got: number[] = [];
    for await (const n of allItems(async (c) => (asked.push(c), pages[asked.length - 1]!))) got.push(n);
    expect(got).toEqual([1, 2, 3]);
    expect(asked).toEqual([{}, { continuationToken: 'a' }, { continuationToken: 'b' }]);
  });

  it('asks for no further page once the caller stops', async () => {
    let asked = 0;
    for await (const n of allItems(async () => pages[asked++]!)) if (n === 1) break;
    expect(asked).toBe(1);
  });
});
