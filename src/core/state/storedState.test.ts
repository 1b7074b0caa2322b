import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { isPackedSamples } from './packedSamples';
import { isPackedWindows } from './packedWindows';
import { fromStoredState, toStoredState } from './storedState';
import { initialStreamState, streamView } from './streamState';
import type { StreamState } from './types';

/** A state with three pending partials of three hourly windows each (saved by the version-4 code; see migrate.test.ts). */
const withPending = (): StreamState => ({
  ...(JSON.parse(readFileSync(join(__dirname, 'fixtures', 'streamState.v4.json'), 'utf8')) as StreamState),
  version: 6,
});

describe('toStoredState / fromStoredState', () => {
  it('store every pending partial with its windows packed and the samples packed, and read back the same state through JSON', () => {
    const state = withPending();
    const before = JSON.stringify(state);
    const stored = toStoredState(state);
    expect(JSON.stringify(state)).toBe(before);
    const pendings = Object.values(stored.partitions).map((p) => p.pending);
    expect(pendings).toHaveLength(3);
    for (const p of pendings) expect(isPackedWindows(p?.windows)).toBe(true);
    expect(Object.keys(state.windows).length).toBeGreaterThan(0);
    expect(isPackedWindows(stored.windows)).toBe(true);
    expect(state.samples.length).toBeGreaterThan(0);
    expect(isPackedSamples(stored.samples)).toBe(true);
    const text = JSON.stringify(stored);
    expect(text.length).toBeLessThan(before.length);
    const back = fromStoredState(JSON.parse(text) as typeof stored);
    expect(back).toEqual(JSON.parse(before));
    expect(JSON.stringify(back)).toBe(before);
    expect(streamView(back)).toEqual(streamView(state));
  });

  it('pack a pending partial and the samples once and read the packings back as the same arrays, so a kept state costs nothing', () => {
    const state = withPending();
    const a = toStoredState(state);
    const b = toStoredState(state);
    expect(a.partitions['0']?.pending?.windows).toBe(b.partitions['0']?.pending?.windows);
    expect(a.samples).toBe(b.samples);
    expect(fromStoredState(a).partitions['0']?.pending?.windows).toBe(state.partitions['0']?.pending?.windows);
    expect(fromStoredState(a).samples).toBe(state.samples);
    // A stored state reads back as the state it was made from; a copy of it (as parsed from its text) as an equal one.
    expect(fromStoredState(a)).toBe(state);
    const copy = { ...a };
    expect(fromStoredState(copy)).not.toBe(state);
    expect(fromStoredState(copy)).toEqual(state);
    // The live windows are packed on every store (they change in place), and read back as the same record.
    expect(isPackedWindows(a.windows)).toBe(true);
    expect(fromStoredState(a).windows).toBe(state.windows);
    // The stored form shares what is not packed: the totals are the same object.
    expect(a.totals).toBe(state.totals);
  });

  it('leave a state with nothing pending as it is, and do not modify what they read', () => {
    const empty = initialStreamState();
    expect(toStoredState(empty)).toBe(empty);
    expect(fromStoredState(toStoredState(empty))).toBe(empty);
    const stored = JSON.parse(JSON.stringify(toStoredState(withPending()))) as ReturnType<typeof toStoredState>;
    const text = JSON.stringify(stored);
    fromStoredState(stored);
    expect(JSON.stringify(stored)).toBe(text);
  });

  it('keep live windows that cannot be packed exactly, or whose keys are not their starts, as they are', () => {
    const state = withPending();
    const [key, w] = Object.entries(state.windows)[0]!;
    for (const windows of [
      { ...state.windows, [key]: { ...w, aggregates: { d: { kind: 'distinct', data: 'AQ==' } } } },
      { ...state.windows, x: w },
    ]) {
      const odd = { ...state, windows } as StreamState;
      const stored = toStoredState(odd);
      expect(stored.windows).toBe(windows);
      expect(JSON.stringify(fromStoredState(JSON.parse(JSON.stringify(stored)) as typeof stored))).toBe(
        JSON.stringify(odd),
      );
    }
  });

  it('keep samples that cannot be packed exactly as an array, which the state reads too', () => {
    const state = withPending();
    state.samples = [...state.samples, { ...state.samples[0]!, extra: 1 } as (typeof state.samples)[0]];
    const stored = toStoredState(state);
    expect(Array.isArray(stored.samples)).toBe(true);
    expect(JSON.stringify(fromStoredState(JSON.parse(JSON.stringify(stored)) as typeof stored))).toBe(
      JSON.stringify(state),
    );
  });

  it('keep windows that cannot be packed exactly as an array, which the state reads too', () => {
    const state = withPending();
    const p = state.partitions['1']!.pending!;
    p.windows = p.windows.map((w) => ({
      ...w,
      aggregates: { d: { kind: 'distinct', data: 'AQ==' } },
    })) as typeof p.windows;
    const stored = toStoredState(state);
    expect(Array.isArray(stored.partitions['1']?.pending?.windows)).toBe(true);
    expect(isPackedWindows(stored.partitions['0']?.pending?.windows)).toBe(true);
    expect(JSON.stringify(fromStoredState(JSON.parse(JSON.stringify(stored)) as typeof stored))).toBe(
      JSON.stringify(state),
    );
  });
});
