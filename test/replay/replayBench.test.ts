/**
 * bench:replay's parts on a tiny history: the generator (deterministic, sorted, skewed), the independent computation,
 * and one keyed replay end to end (send --file --key-field origin -> local hub -> app on the local host) checked
 * exactly per key and per hourly window. Needs `npm run build` (the host and `send` run from dist/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkOnce } from '../../bench/replay/check';
import { expectedFromNdjson, HOUR_MS, keySizes } from '../../bench/replay/expected';
import { generateHistory, writeHistoryNdjson } from '../../bench/replay/history';
import { PIPELINE_NAME, replayOnce } from '../../bench/replay/run';
import { repoRoot } from '../support/repoRoot';

const shape = { events: 3000, keys: 20, days: 3, seed: 7 };

describe('replay history', () => {
  it('is deterministic, time-sorted, spans the days asked and has skewed key sizes', () => {
    const a = [...generateHistory(shape)];
    const b = [...generateHistory(shape)];
    expect(a).toEqual(b);
    expect(a).toHaveLength(3000);
    expect([...generateHistory({ ...shape, seed: 8 })]).not.toEqual(a);
    const times = a.map((r) => Date.parse(r.date));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThan(2.9 * 86_400_000);
    expect(times[times.length - 1]! - times[0]!).toBeLessThan(3 * 86_400_000);
    const origins = new Map<string, number>();
    for (const r of a) origins.set(r.origin, (origins.get(r.origin) ?? 0) + 1);
    expect(origins.size).toBe(20);
    const sizes = [...origins.values()].sort((x, y) => y - x);
    // Zipf (s = 1) over 20 ranks: the largest key has about 20 times the smallest's events.
    expect(sizes[0]!).toBeGreaterThan(8 * sizes[19]!);
    expect(
      a.every((r) => Number.isInteger(r.delay) && Number.isInteger(r.distance) && r.origin !== r.destination),
    ).toBe(true);
    expect(a.some((r) => r.distance <= 100)).toBe(true);
  });

  it('computes per-key and hourly figures over the events passing distance > 100', () => {
    const lines = [
      { date: '2025-01-01T00:10:00Z', origin: 'AAA', destination: 'BBB', delay: 5, distance: 500 },
      { date: '2025-01-01T00:50:00Z', origin: 'AAA', destination: 'BBB', delay: -3, distance: 100 },
      { date: '2025-01-01T00:59:59Z', origin: 'AAA', destination: 'CCC', delay: 7, distance: 101 },
      { date: '2025-01-01T01:00:00Z', origin: 'AAA', destination: 'CCC', delay: -2, distance: 900 },
      { date: '2025-01-01T01:30:00Z', origin: 'BBB', destination: 'AAA', delay: 0, distance: 40 },
    ];
    const e = expectedFromNdjson(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
    expect(e).toMatchObject({ records: 5, filtered: 2, sorted: true });
    expect([...e.keys.keys()]).toEqual(['AAA']);
    const aaa = e.keys.get('AAA')!;
    expect(aaa).toMatchObject({
      events: 3,
      delay: { count: 3, sum: 10, min: -2, max: 7 },
      distance: { count: 3, sum: 1501, min: 101, max: 900 },
    });
    const h0 = Date.parse('2025-01-01T00:00:00Z');
    expect([...aaa.windows.keys()]).toEqual([h0, h0 + HOUR_MS]);
    expect(aaa.windows.get(h0)).toMatchObject({ events: 2, delay: { sum: 12, min: 5, max: 7 } });
    expect(keySizes(e)).toEqual([3]);
    expect(expectedFromNdjson([lines[3], lines[0]].map((l) => JSON.stringify(l)).join('\n')).sorted).toBe(false);
    expect(() =>
      expectedFromNdjson('{"date":"2025-01-01T00:00:00Z","origin":"AAA","delay":"5","distance":200}'),
    ).toThrow(/line 1: expected .*delay \(number\).*found/);
  });
});

describe('replay through the local host', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keyed by origin: every key and every hourly window exact, nothing dead-lettered, and the checker names a wrong figure', async () => {
    const file = join(dir, 'flights.ndjson');
    expect(await writeHistoryNdjson(file, shape)).toBe(3000);
    const expected = expectedFromNdjson(readFileSync(file, 'utf8'));
    expect(expected.keys.size).toBe(20);
    const windows = [...expected.keys.values()].reduce((n, k) => n + k.windows.size, 0);
    let tampered: Awaited<ReturnType<typeof checkOnce>> | undefined;
    const result = await replayOnce({
      repoRoot,
      file,
      expected,
      mode: 'keyed',
      partitions: 4,
      batchSize: 500,
      timeoutMs: 120_000,
      log: () => undefined,
      // The same check against an expectation with one figure off must fail and say where.
      inspect: async (baseUrl) => {
        const [key, want] = [...expected.keys][0]!;
        const wrong = {
          ...expected,
          keys: new Map([[key, { ...want, delay: { ...want.delay, sum: want.delay.sum + 1 } }]]),
        };
        tampered = await checkOnce({ baseUrl }, PIPELINE_NAME, wrong);
      },
    });
    expect(result.sender).toMatchObject({ sent: 3000, failed: 0 });
    expect(result.check.mismatches).toEqual([]);
    expect(result.check).toMatchObject({
      exact: true,
      keysChecked: 20,
      keysWrong: 0,
      keysUnaccounted: 0,
      windowsChecked: windows,
      windowsMissing: 0,
      windowsWrong: 0,
      windowsExtra: 0,
      windowsDuplicated: 0,
      late: 0,
    });
    expect(result.lateDeadLetters).toBe(0);
    expect(result.lateDeadLettersListed).toBe(0);
    expect(result.deadLettered).toBe(0);
    expect(result.entityOperations).toBeGreaterThan(0);
    expect(result.tableRequestsPer1000Events).toBeGreaterThan(0);
    expect(tampered).toMatchObject({ exact: false, keysWrong: 1 });
    expect(tampered!.mismatches[0]).toMatch(/totals: delay\.sum expected \d+ found \d+/);
  }, 240_000);
});
