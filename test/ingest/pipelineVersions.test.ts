import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, ingestProcess } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const ev = (second: number, value: unknown) =>
  JSON.stringify({ stream: 's', time: new Date(T0 + second * 1000).toISOString(), value });

describe('pipeline versions through ingest and the stream entity', () => {
  it('a PUT that changes the filter makes version 2: windows closed afterwards name 2, earlier ones 1; dead letters name theirs', async () => {
    const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
    const clock = { now: T0 + 10 * 60_000 };
    const driver = new EntityDriver(
      createStreamEntityHandler(
        () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
        () => clock.now,
      ),
    );
    const deps: IngestDeps = {
      ...ingestProcess(stores),
      now: () => clock.now,
      signal: driver.signal,
    };
    const definition = (filter: string) => ({
      name: 'p',
      filter,
      measures: { v: 'value * 1' },
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT0S',
    });
    expect((await stores.pipelines.put('p', definition('value > 0'))).version).toBe(1);
    await deliver(deps, '0', 0, [ev(1, 1), ev(2, 'x'), ev(70, 2)]);
    await deliver(deps, '0', 3, [ev(130, 3)]);
    await deliver(deps, '0', 4, [ev(131, 4)]);
    expect((await stores.pipelines.put('p', definition('value > 100'))).version).toBe(2);
    clock.now += 2000; // past the cache's refresh interval
    await deliver(deps, '0', 5, [ev(250, 500), ev(251, 'y')]);
    await deliver(deps, '0', 7, [ev(400, 600)]);
    await deliver(deps, '0', 8, [ev(401, 700)]);
    const windows = (await stores.windows.query(encodeStreamKey('p', 's'))).items.map((w) => [
      (w.start - T0) / 60_000,
      w.data.events,
      w.data.pipelineVersion,
    ]);
    expect(windows).toEqual([
      [0, 1, 1],
      [1, 1, 1],
      [2, 2, 2],
      [4, 1, 2],
    ]);
    const dead = (await stores.deadLetters.query()).items.map((d) => [
      d.sequenceNumber,
      d.reason,
      d.pipeline,
      d.pipelineVersion,
    ]);
    expect(dead).toEqual([
      [1, 'expression', 'p', 1],
      [6, 'expression', 'p', 2],
    ]);
    expect(
      (await stores.pipelines.versions('p')).map((v) => [v.version, (v.definition as { filter: string }).filter]),
    ).toEqual([
      [1, 'value > 0'],
      [2, 'value > 100'],
    ]);
  });
});
