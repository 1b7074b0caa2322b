import fc from 'fast-check';

import { parseWindowKey, windowKey, windowsFor } from './windows';

describe('windowsFor', () => {
  it('gives one aligned tumbling window', () => {
    expect(windowsFor(125_000, { sizeMs: 60_000 })).toEqual([{ start: 120_000, end: 180_000 }]);
    expect(windowsFor(120_000, { sizeMs: 60_000 })).toEqual([{ start: 120_000, end: 180_000 }]);
  });

  it('gives size/hop overlapping hopping windows', () => {
    expect(windowsFor(125_000, { sizeMs: 60_000, hopMs: 20_000 })).toEqual([
      { start: 80_000, end: 140_000 },
      { start: 100_000, end: 160_000 },
      { start: 120_000, end: 180_000 },
    ]);
  });

  it('always returns windows that contain the time, each exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3e6, max: 4e12 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 20 }),
        (t, hop, k) => {
          const size = hop * k + (t % 3 === 0 ? 0 : Math.floor(hop / 2));
          const ws = windowsFor(t, { sizeMs: size, hopMs: hop });
          expect(ws.length).toBeGreaterThan(0);
          for (const w of ws) {
            expect(w.start <= t && t < w.end).toBe(true);
            expect(w.start % hop === 0).toBe(true);
          }
          expect([Math.floor(size / hop), Math.ceil(size / hop)]).toContain(ws.length);
          expect(new Set(ws.map((w) => w.start)).size).toBe(ws.length);
        },
      ),
    );
  });

  it('builds keys whose lexical order is numeric order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        (a, b) => {
          expect(windowKey(a) < windowKey(b)).toBe(a < b);
          expect(parseWindowKey(windowKey(a))).toBe(a);
        },
      ),
    );
  });
});
