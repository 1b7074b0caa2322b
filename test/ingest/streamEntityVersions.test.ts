import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  compilePipeline,
  mergeEncodedSketches,
  processBatch,
  type StreamPartial,
  type StreamView,
} from '../../src/core';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { EntityDriver } from './entityDriver';

/** The stream entity's state versions, through durable-functions' Entity class as the host runs it. */

const T0 = Date.parse('2026-11-26T10:00:00Z');
const v1Text = readFileSync(join(__dirname, '../../src/core/state/fixtures/streamState.v1.json'), 'utf8');
/** Saved by the version-4 code: three partitions, each with a partial of three hourly windows pending. */
const v4Text = readFileSync(join(__dirname, '../../src/core/state/fixtures/streamState.v4.json'), 'utf8');
/** Saved by the version-5 code: the above plus a partial of three one-event windows on partition 0, packing version 1. */
const v5Text = readFileSync(join(__dirname, '../../src/core/state/fixtures/streamState.v5.json'), 'utf8');
const compiled = compilePipeline({
  name: 'p',
  window: { type: 'tumbling', size: 'PT1M' },
  lateness: 'PT10S',
  retention: 5,
});
if (!compiled.ok) throw new Error('pipeline');
const pipeline = compiled.pipeline;
const key = streamEntityKey('p', 's');

function driver(): EntityDriver {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  return new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
      () => T0 + 700_000,
    ),
  );
}

const merge = (seq: number, time: number): { partial: StreamPartial; pipeline: typeof pipeline.config } => ({
  partial: processBatch({
    bodies: [JSON.stringify({ stream: 's', time: T0 + time, value: 10 })],
    partitionId: '0',
    sequenceNumbers: [seq],
    enqueuedTimes: [T0 + 600_000],
    pipelines: [pipeline],
    now: T0 + 602_000,
  }).partials[0] as StreamPartial,
  pipeline: pipeline.config,
});

describe('stream entity state versions', () => {
  it('migrates a state saved by the version-1 code on its next operation and goes on counting', async () => {
    const d = driver();
    d.states.set(key, v1Text);
    const got = await d.run(key, 'get');
    expect(got.ok && got.kind === 'get' && got.view.events).toBe(7);
    const reply = await d.run(key, 'merge', merge(5, 250_000));
    expect(reply).toMatchObject({ ok: true, kind: 'merge', outcome: 'committed-previous' });
    const stored = JSON.parse(d.states.get(key) as string) as {
      version: number;
      partitions: Record<string, { watermark: number | null }>;
    };
    expect(stored.version).toBe(6);
    expect(stored.partitions['0']?.watermark).toBe(T0 + 190_000);
    const after = await d.run(key, 'get');
    expect(after.ok && after.kind === 'get' && (after.view as StreamView).events).toBe(8);
  });

  it('quarantines every operation on a state of an unknown version: ok:false, counted, the state otherwise untouched, never reset', async () => {
    const d = driver();
    const newer = { version: 7, events: 41, somethingNew: { a: [1, 2] } };
    d.states.set(key, JSON.stringify(newer));
    const reply = await d.run(key, 'merge', merge(0, 1000));
    expect(reply).toEqual({
      ok: false,
      error:
        'stream state: expected version 1 to 6, found 7; the operation is quarantined and the stored state kept (1 operation(s) quarantined so far)',
    });
    expect(JSON.parse(d.states.get(key) as string)).toEqual({ ...newer, quarantined: 1 });
    expect(
      await d.run(key, 'commit', { partition: '0', firstSequence: 0, lastSequence: 0, pipeline: pipeline.config }),
    ).toMatchObject({ ok: false });
    expect(await d.run(key, 'flush', { now: T0 + 10_000_000 })).toMatchObject({ ok: false });
    expect(await d.run(key, 'reset')).toMatchObject({ ok: false });
    expect(JSON.parse(d.states.get(key) as string)).toEqual({ ...newer, quarantined: 4 });
    // A read loses nothing, so it is refused but not counted.
    expect(await d.run(key, 'get')).toEqual({
      ok: false,
      error: expect.stringContaining('(4 operation(s) quarantined so far)'),
    });
    expect(JSON.parse(d.states.get(key) as string)).toEqual({ ...newer, quarantined: 4 });
  });

  it('migrates a state saved by the version-4 code, then stores its pending windows packed and reads them back', async () => {
    const d = driver();
    d.states.set(key, v4Text);
    const before = await d.run(key, 'get');
    if (!(before.ok && before.kind === 'get')) throw new Error(JSON.stringify(before));
    expect(before.view.events).toBe(42);
    // Partition 0's pending batch (sequences 12..17) was checkpointed: committed; the other two stay pending.
    const reply = await d.run(key, 'commit', {
      partition: '0',
      firstSequence: 12,
      lastSequence: 17,
      pipeline: { ...pipeline.config, name: 'flights' },
    });
    expect(reply).toMatchObject({ ok: true, kind: 'commit', outcome: 'committed' });
    const stored = JSON.parse(d.states.get(key) as string) as {
      version: number;
      partitions: Record<string, { committed: number; pending: { windows: unknown } | null }>;
    };
    expect(stored.version).toBe(6);
    expect(stored.partitions['0']).toMatchObject({ committed: 17, pending: null });
    expect(stored.partitions['1']?.pending?.windows).toEqual({ packed: expect.any(String) });
    expect(stored.partitions['2']?.pending?.windows).toEqual({ packed: expect.any(String) });
    const after = await d.run(key, 'get');
    if (!(after.ok && after.kind === 'get')) throw new Error(JSON.stringify(after));
    expect(after.view.events).toBe(42);
    expect(after.view.totals).toEqual(before.view.totals);
    expect(after.view.windows.map((w) => [w.start, w.events])).toEqual(
      before.view.windows.map((w) => [w.start, w.events]),
    );
  });

  it('migrates a state saved by the version-5 code, then stores it as version 6 (tighter packings) and reads it back', async () => {
    const d = driver();
    d.states.set(key, v5Text);
    const before = await d.run(key, 'get');
    if (!(before.ok && before.kind === 'get')) throw new Error(JSON.stringify(before));
    expect(before.view.events).toBe(45);
    const reply = await d.run(key, 'commit', {
      partition: '0',
      firstSequence: 18,
      lastSequence: 20,
      pipeline: { ...pipeline.config, name: 'flights' },
    });
    expect(reply).toMatchObject({ ok: true, kind: 'commit', outcome: 'committed' });
    const text = d.states.get(key) as string;
    const stored = JSON.parse(text) as {
      version: number;
      samples: unknown;
      partitions: Record<string, { committed: number; pending: { windows: { packed: string } } | null }>;
    };
    expect(stored.version).toBe(6);
    expect(stored.samples).toEqual({ packedSamples: expect.any(String) });
    expect(stored.partitions['0']).toMatchObject({ committed: 20, pending: null });
    // A pending partial never changes, so the packing read is stored as it was (version 1, which version 6 reads too).
    const v5 = JSON.parse(v5Text) as typeof stored;
    for (const p of ['1', '2'])
      expect(stored.partitions[p]?.pending?.windows.packed).toBe(v5.partitions[p]?.pending?.windows.packed);
    expect(text.length).toBeLessThan(v5Text.length);
    const after = await d.run(key, 'get');
    if (!(after.ok && after.kind === 'get')) throw new Error(JSON.stringify(after));
    expect(after.view.events).toBe(45);
    expect(after.view.totals).toEqual(before.view.totals);
    expect(after.view.metrics).toEqual(before.view.metrics);
    expect(after.view.windows.map((w) => [w.start, w.events])).toEqual(
      before.view.windows.map((w) => [w.start, w.events]),
    );
  });

  it('shows the count in the view once a version that reads the state finds it there', async () => {
    const d = driver();
    await d.run(key, 'merge', merge(0, 1000));
    d.states.set(key, JSON.stringify({ ...(JSON.parse(d.states.get(key) as string) as object), quarantined: 2 }));
    const got = await d.run(key, 'get');
    expect(got.ok && got.kind === 'get' && got.view.metrics.quarantined).toBe(2);
  });
});
