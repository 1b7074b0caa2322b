import fc from 'fast-check';

import { partitionForKey } from './partitionForKey';

describe('partitionForKey', () => {
  it('is stable and within range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, count) => {
        const p = partitionForKey(key, count);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(count);
        expect(partitionForKey(key, count)).toBe(p);
      }),
    );
  });

  it('matches FNV-1a reference values', () => {
    // FNV-1a 32 of "a" is 0xe40c292c, of "foobar" is 0xbf9cf968.
    expect(partitionForKey('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionForKey('foobar', 1000)).toBe(0xbf9cf968 % 1000);
  });

  it('spreads many keys over all partitions', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(partitionForKey(`s-${i}`, 4));
    expect(seen.size).toBe(4);
  });
});
