import { createMemoryStores } from '../../src/storage';
import { faultyStores, type StoreFaults } from './faultyStores';
import { Rng } from './rng';
import { VirtualTime } from './virtualTime';

const none: StoreFaults = { transient: 0, timeout: 0, crash: 0, slow: 0 };
const record = {
  raw: '{',
  reason: 'invalid-json' as const,
  detail: 'not JSON',
  partition: '0',
  sequenceNumber: 7,
  enqueuedTime: '2030-01-01T00:00:00.000Z',
  recordedAt: '2030-01-01T00:00:00.000Z',
};

function setup(faults: StoreFaults, alive = () => true) {
  const base = createMemoryStores();
  const seen = {
    kinds: [] as string[],
    crashes: [] as string[],
    deadLettered: [] as string[],
    windows: [] as string[],
  };
  const stores = faultyStores(
    base,
    new Rng(1),
    faults,
    { count: (k) => seen.kinds.push(k), crash: (w) => seen.crashes.push(w) },
    {
      windowUpserted: (key, start) => seen.windows.push(`${key}@${start}`),
      deadLettered: (rs) => seen.deadLettered.push(...rs.map((r) => `${r.partition}/${r.sequenceNumber}`)),
      withdrawn: () => undefined,
    },
    alive,
    () => true,
  );
  return { base, stores, seen };
}

describe('faultyStores', () => {
  it('a timeout happens after the table applied the write: the caller sees a transient error, the row is there', async () => {
    const { base, stores, seen } = setup({ ...none, timeout: 1 });
    await expect(stores.deadLetters.add([record])).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect((await base.deadLetters.query()).items).toHaveLength(1);
    expect(seen).toMatchObject({ kinds: ['table-timeout'], deadLettered: ['0/7'] });
  });

  it('a transient failure happens before the table: nothing is written, the error is a 503', async () => {
    const { base, stores, seen } = setup({ ...none, transient: 1 });
    await expect(stores.deadLetters.add([record])).rejects.toMatchObject({ statusCode: 503 });
    expect((await base.deadLetters.query()).items).toHaveLength(0);
    expect(seen).toMatchObject({ kinds: ['table-transient'], deadLettered: [] });
  });

  it("a crash at an await point reports the call and never settles it; a dead process's calls never settle either", async () => {
    const { stores, seen } = setup({ ...none, crash: 1 });
    let settled = false;
    void stores.windows.query('k').finally(() => (settled = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect({ settled, crashes: seen.crashes }).toEqual({ settled: false, crashes: ['windows.query'] });

    const dead = setup(none, () => false);
    let deadSettled = false;
    void dead.stores.deadLetters.add([record]).finally(() => (deadSettled = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(deadSettled).toBe(false);
    expect((await dead.base.deadLetters.query()).items).toHaveLength(0);
  });
});

describe('VirtualTime and Rng', () => {
  it('sleepers wake only when the clock is moved past them, earliest first; a crash drops them', async () => {
    const time = new VirtualTime(1000);
    const woke: number[] = [];
    void time.sleep(50).then(() => woke.push(50));
    void time.sleep(10).then(() => woke.push(10));
    void time.sleep(500).then(() => woke.push(500));
    expect(time.nextDue()).toBe(1010);
    expect(time.advanceTo(1100)).toBe(2);
    await Promise.resolve();
    expect(woke).toEqual([10, 50]);
    time.dropSleepers();
    expect(time.advanceTo(5000)).toBe(0);
    expect(time.now).toBe(5000);
  });

  it('the same seed and label give the same draws; another label gives others', () => {
    const draws = (r: Rng) => Array.from({ length: 5 }, () => r.int(1000));
    expect(draws(new Rng(42).fork('schedule'))).toEqual(draws(new Rng(42).fork('schedule')));
    expect(draws(new Rng(42).fork('schedule'))).not.toEqual(draws(new Rng(42).fork('faults')));
  });
});
