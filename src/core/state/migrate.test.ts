import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { processBatch, type StreamPartial } from '../batch';
import { compilePipeline } from '../pipelines';
import { migrateStreamState, STREAM_STATE_VERSION } from './migrate';
import { toStoredState } from './storedState';
import { initialStreamState, mergePartial, streamView } from './streamState';
import type { StreamState } from './types';

/** State saved by the version-2 code (before aggregates and sessions): two partitions, both with a partial pending. */
const v2Text = readFileSync(join(__dirname, 'fixtures', 'streamState.v2.json'), 'utf8');

/** State saved by the version-1 code (two partitions, one partial pending), as the entity stored it. */
const v1Text = readFileSync(join(__dirname, 'fixtures', 'streamState.v1.json'), 'utf8');

/** State saved by the version-4 code: hourly windows, two measures, three partitions each with a partial pending. */
const v4Text = readFileSync(join(__dirname, 'fixtures', 'streamState.v4.json'), 'utf8');

/**
 * State saved by the version-5 code: the version-4 fixture migrated and merged one more partial (partition 0: three
 * one-event hourly windows), stored with pending windows in packing version 1 and the samples as an array.
 */
const v5Text = readFileSync(join(__dirname, 'fixtures', 'streamState.v5.json'), 'utf8');

function migrateOk(text: string): StreamState {
  const r = migrateStreamState(JSON.parse(text));
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

describe('migrateStreamState', () => {
  it('migrates the state saved by the version-2 code to the current version, holding and viewing exactly what it did', () => {
    const stored = JSON.parse(v2Text) as Record<string, unknown>;
    const r = migrateStreamState(stored);
    if (!r.ok) throw new Error(r.error);
    expect([r.from, r.state.version]).toEqual([2, STREAM_STATE_VERSION]);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(JSON.parse(v2Text)));
    // Only the version and the (v4) revisions counter differ; the view reads the same (no aggregates appear).
    expect({ ...r.state, version: 2 }).toEqual({ ...stored, revisions: 0 });
    const view = streamView(r.state);
    expect(view.aggregateTotals).toBeUndefined();
    expect({
      events: view.events,
      value: view.totals['value']?.sum,
      delay: view.totals['delay']?.max,
      windows: view.windows.map((w) => [w.events, w.aggregates]),
    }).toEqual({
      events: 7,
      value: 1 + 2 + 3 + 1 + 2 + 1 + 2,
      delay: 30,
      windows: [
        [1, undefined],
        [5, undefined],
        [6, undefined],
        [2, undefined],
      ],
    });
    // It goes on counting: partition 1's next batch commits its pending partial.
    const c = compilePipeline({
      name: 'p',
      measures: { value: 'value', delay: 'delay' },
      window: { type: 'hopping', size: 'PT2M', hop: 'PT1M' },
      lateness: 'PT10S',
      retention: 5,
    });
    if (!c.ok) throw new Error('pipeline');
    const T0 = Date.parse('2026-11-26T10:00:00Z');
    const next = processBatch({
      bodies: [JSON.stringify({ stream: 's', time: T0 + 126_000, value: 5, delay: 1 })],
      partitionId: '1',
      sequenceNumbers: [2],
      enqueuedTimes: [T0 + 600_000],
      pipelines: [c.pipeline],
      now: T0 + 603_000,
    }).partials[0] as StreamPartial;
    const m = mergePartial(r.state, next, T0 + 603_000, c.pipeline.config);
    expect(m.outcome).toBe('committed-previous');
    expect([m.state.version, m.state.events, streamView(m.state).events]).toEqual([STREAM_STATE_VERSION, 5, 8]);
  });

  it('migrates the state saved by the version-1 code to version 2 without changing what it holds', () => {
    const stored = JSON.parse(v1Text) as Record<string, unknown>;
    const r = migrateStreamState(stored);
    if (!r.ok) throw new Error(r.error);
    expect(r.from).toBe(1);
    expect(r.state.version).toBe(STREAM_STATE_VERSION);
    // The input is not modified.
    expect(JSON.stringify(stored)).toBe(JSON.stringify(JSON.parse(v1Text)));
    // Every partition starts from the v1 stream watermark and counts as active from the last merge.
    const v1Watermark = stored['watermark'] as number;
    expect(Object.values(r.state.partitions).map((p) => [p.watermark, p.lastMergeAt])).toEqual([
      [v1Watermark, stored['lastSeen']],
      [v1Watermark, stored['lastSeen']],
    ]);
    expect([r.state.watermark, r.state.maxEventTime]).toEqual([v1Watermark, v1Watermark]);
    // Counts, totals, windows, pending partials, adapter bookkeeping: all kept.
    const view = streamView(r.state);
    expect({
      events: view.events,
      sum: view.totals['value']?.sum,
      windows: view.windows.map((w) => w.events),
      pending: view.partitions.map((p) => p.pending),
    }).toEqual({
      events: 7,
      sum: 1 + 2 + 3 + 1 + 2 + 1 + 2,
      windows: [1, 1, 2, 3],
      pending: [{ firstSequence: 3, lastSequence: 4 }, null],
    });
    expect([r.state.idle, r.state.catalog]).toEqual([stored['idle'], stored['catalog']]);
  });

  it('a migrated state goes on counting exactly: the pending partial commits, windows close on the new rule', () => {
    const r = migrateStreamState(JSON.parse(v1Text));
    if (!r.ok) throw new Error(r.error);
    const c = compilePipeline({
      name: 'p',
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT10S',
      retention: 5,
    });
    if (!c.ok) throw new Error('pipeline');
    const T0 = Date.parse('2026-11-26T10:00:00Z');
    const batch = (partition: string, seq: number, time: number, at: number) =>
      processBatch({
        bodies: [JSON.stringify({ stream: 's', time: T0 + time, value: 10 })],
        partitionId: partition,
        sequenceNumbers: [seq],
        enqueuedTimes: [T0 + 600_000],
        pipelines: [c.pipeline],
        now: at,
      }).partials[0] as StreamPartial;
    const m = mergePartial(r.state, batch('0', 5, 250_000, T0 + 602_000), T0 + 602_000, c.pipeline.config);
    expect(m.outcome).toBe('committed-previous');
    expect(streamView(m.state)).toMatchObject({ events: 8, totals: { value: { sum: 22 } } });
    // Partition 0 reached 3 min 10 s, partition 1 (migrated) 1 min 2 s: minute 0 (closing at 1 min 10 s) waits for
    // partition 1 (the version-1 code would have closed it on the max, 3 min 10 s).
    expect(m.closedWindows).toEqual([]);
    const p1 = mergePartial(m.state, batch('1', 2, 75_000, T0 + 603_000), T0 + 603_000, c.pipeline.config);
    const p1next = mergePartial(p1.state, batch('1', 3, 76_000, T0 + 604_000), T0 + 604_000, c.pipeline.config);
    expect(p1next.closedWindows.map((w) => [(w.start - T0) / 60_000, w.events])).toEqual([[0, 3]]);
    expect(p1next.state.version).toBe(STREAM_STATE_VERSION);
  });

  it('reads version 6 as is, and nothing stored as a new stream', () => {
    const current = initialStreamState();
    expect(migrateStreamState(current)).toEqual({ ok: true, state: current, from: 6 });
    expect(migrateStreamState(undefined)).toEqual({ ok: true, state: initialStreamState(), from: 6 });
    expect(migrateStreamState(null)).toEqual({ ok: true, state: initialStreamState(), from: 6 });
  });

  it('migrates the state saved by the version-4 code (pending windows as arrays) and stores it packed, viewing the same', () => {
    const stored = JSON.parse(v4Text) as Record<string, unknown>;
    const r = migrateStreamState(stored);
    if (!r.ok) throw new Error(r.error);
    expect([r.from, r.state.version]).toEqual([4, 6]);
    expect(JSON.stringify(stored)).toBe(v4Text.trim());
    expect({ ...r.state, version: 4 }).toEqual(stored);
    // Saved as version 6 (packed) and read back: the same state and the same view as the version-4 code's.
    const saved = JSON.stringify(toStoredState(r.state));
    expect(saved).toContain('"packed"');
    const again = migrateStreamState(JSON.parse(saved));
    if (!again.ok) throw new Error(again.error);
    expect(again.state).toEqual(r.state);
    expect(streamView(again.state)).toEqual(streamView({ ...(stored as unknown as StreamState), version: 6 }));
    expect(streamView(again.state).events).toBe(42);
  });

  it('migrates the state saved by the version-5 code (packing version 1, samples as an array), stores it tighter, views the same', () => {
    const stored = JSON.parse(v5Text) as Record<string, unknown> & { samples: unknown[] };
    const r = migrateStreamState(stored);
    if (!r.ok) throw new Error(r.error);
    expect([r.from, r.state.version]).toEqual([5, 6]);
    expect(JSON.stringify(stored)).toBe(v5Text.trim());
    expect(r.state.samples).toEqual(stored.samples);
    // Partition 0: the three one-event windows merged last; partitions 1 and 2: as the version-4 fixture had them.
    const v4 = JSON.parse(v4Text) as StreamState;
    const pending = Object.values(r.state.partitions).map((p) => p.pending?.windows);
    expect(pending[0]?.map((w) => w.events)).toEqual([1, 1, 1]);
    expect(pending.slice(1)).toEqual([v4.partitions['1']?.pending?.windows, v4.partitions['2']?.pending?.windows]);
    // Saved as version 6: the samples packed, the pending windows as they were read (a pending partial never changes,
    // and version 6 reads packing version 1 too); packed anew (a copy: nothing known about it), in version 2.
    const saved = JSON.stringify(toStoredState(r.state));
    expect(saved).toContain('"packedSamples"');
    expect(saved.length).toBeLessThan(v5Text.length - JSON.stringify(stored.samples).length / 2);
    const repacked = JSON.stringify(toStoredState(structuredClone(r.state)));
    expect(repacked.length).toBeLessThan(v5Text.length * 0.6);
    const fromRepacked = migrateStreamState(JSON.parse(repacked));
    expect(fromRepacked.ok && fromRepacked.state).toEqual(r.state);
    const again = migrateStreamState(JSON.parse(saved));
    if (!again.ok) throw new Error(again.error);
    expect(again.from).toBe(6);
    expect(again.state).toEqual(r.state);
    expect(streamView(again.state)).toEqual(streamView(r.state));
    expect(streamView(again.state).events).toBe(45);
  });

  it('refuses a version-6 state whose packed windows it cannot read, naming what it found', () => {
    const saved = JSON.parse(JSON.stringify(toStoredState(migrateOk(v4Text)))) as {
      partitions: Record<string, { pending: { windows: { packed: string } } }>;
    };
    saved.partitions['0']!.pending.windows.packed = 'CQ==';
    const r = migrateStreamState(saved);
    expect(r).toEqual({
      ok: false,
      error: expect.stringContaining(
        'expected readable packings in a version 6 state, found: unsupported packed windows encoding: expected version 1 or 2, found 9',
      ),
    });
  });

  it('refuses an unknown or missing version and anything that is not a state object, naming what it found', () => {
    expect(migrateStreamState({ version: 7, events: 10 })).toEqual({
      ok: false,
      error: 'stream state: expected version 1 to 6, found 7; the operation is quarantined and the stored state kept',
    });
    expect(migrateStreamState({ events: 10 })).toEqual({
      ok: false,
      error:
        'stream state: expected version 1 to 6, found none; the operation is quarantined and the stored state kept',
    });
    expect(migrateStreamState({ version: '2' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('found "2"'),
    });
    expect(migrateStreamState([1, 2])).toEqual({
      ok: false,
      error: 'stream state: expected an object with a version, found an array',
    });
    expect(migrateStreamState('x')).toEqual({
      ok: false,
      error: 'stream state: expected an object with a version, found string',
    });
  });
});
