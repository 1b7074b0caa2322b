import fc from 'fast-check';

import { readRange, readVersions, storedVersion, windowsReadOf } from './windowsRead';

const w = (start: number, version?: number) => ({ start, data: version === undefined ? {} : { version } });

describe('windowsRead', () => {
  it('keeps a regular stream as one run and lists only the versions above 1', () => {
    const read = windowsReadOf([w(0), w(60), w(120, 2), w(180), w(240, 3)]);
    expect(read).toEqual({
      starts: [[0, 60, 5]],
      versions: [
        [120, 2],
        [240, 3],
      ],
    });
    expect([...readVersions(read)]).toEqual([
      [0, 1],
      [60, 1],
      [120, 2],
      [180, 1],
      [240, 3],
    ]);
    expect(readRange(read)).toEqual({ from: 0, to: 241 });
  });

  it('starts a new run at a gap, and reads nothing from an empty list', () => {
    expect(windowsReadOf([w(0), w(10), w(20), w(50), w(70), w(90), w(95)]).starts).toEqual([
      [0, 10, 3],
      [50, 20, 3],
      [95, 0, 1],
    ]);
    expect(windowsReadOf([])).toEqual({ starts: [], versions: [] });
    expect(readRange(windowsReadOf([]))).toBeUndefined();
  });

  it('reads a version only when it is a whole number from 1', () => {
    expect([
      storedVersion({ version: 4 }),
      storedVersion({}),
      storedVersion(null),
      storedVersion({ version: 0.5 }),
    ]).toEqual([4, 1, 1, 1]);
  });

  it('round-trips any ascending starts with their versions', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 5 })), {
          selector: ([s]) => s,
          maxLength: 60,
        }),
        (pairs) => {
          const sorted = [...pairs].sort(([a], [b]) => a - b);
          const read = windowsReadOf(sorted.map(([s, v]) => w(s, v)));
          expect([...readVersions(read)]).toEqual(sorted);
        },
      ),
    );
  });
});
