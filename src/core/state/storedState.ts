import type { PartialWindow } from '../batch';
import { windowKey } from '../windows';
import { isPackedSamples, type PackedSamples, packSamples, unpackSamples } from './packedSamples';
import { isPackedWindows, type PackedWindows, packWindows, unpackWindows } from './packedWindows';
import type { PartitionProgress, RateSample, StreamState } from './types';

/**
 * The stream state as the entity stores it (version 6): the same as in memory but for each pending partial's
 * `windows`, the live `windows` (packedWindows.ts) and the `samples` (packedSamples.ts), each packed where it
 * round-trips exactly and as in memory otherwise. Version 5 packed only the pending windows (packing version 1), and
 * is read as it is.
 */
export type StoredStreamState = Omit<StreamState, 'partitions' | 'samples' | 'windows'> & {
  partitions: Record<string, StoredPartitionProgress>;
  windows: Record<string, PartialWindow> | PackedWindows;
  samples: RateSample[] | PackedSamples;
};
type StoredPartitionProgress = Omit<PartitionProgress, 'pending'> & {
  pending:
    (Omit<NonNullable<PartitionProgress['pending']>, 'windows'> & { windows: PartialWindow[] | PackedWindows }) | null;
};

/*
 * The entity keeps its parsed state between batches (entity batches), so each packing is read at most once per
 * process: a packing remembers what it was made from or read as. A pending partial's windows and the samples array are
 * replaced, never modified (liveWindows.ts, streamState.ts recordSample), so they are also packed once. The live
 * windows are modified in place by every merge, so they are packed on every store; what that packing remembers is the
 * record the operation goes on modifying, as the stored state's other parts are shared with the state in memory.
 */
const packedOf = new WeakMap<readonly PartialWindow[], PackedWindows | null>();
const unpackedOf = new WeakMap<PackedWindows, PartialWindow[]>();
const packedSamplesOf = new WeakMap<readonly RateSample[], PackedSamples | null>();
const unpackedSamplesOf = new WeakMap<PackedSamples, RateSample[]>();
const liveOf = new WeakMap<PackedWindows, Record<string, PartialWindow>>();
// And a stored state remembers the state it was made from: the entity keeps the stored form it set as its parsed
// state (entity batches), and nothing changes the state in memory after it is stored, so the next operation reads
// that state itself back.
const stateOf = new WeakMap<StoredStreamState, StreamState>();

function packedWindowsOf(windows: PartialWindow[]): PackedWindows | null {
  let packed = packedOf.get(windows);
  if (packed === undefined) {
    packed = packWindows(windows) ?? null;
    packedOf.set(windows, packed);
    if (packed !== null) unpackedOf.set(packed, windows);
  }
  return packed;
}

function packedSamplesFor(samples: RateSample[]): PackedSamples | null {
  let packed = packedSamplesOf.get(samples);
  if (packed === undefined) {
    packed = packSamples(samples) ?? null;
    packedSamplesOf.set(samples, packed);
    if (packed !== null) unpackedSamplesOf.set(packed, samples);
  }
  return packed;
}

/**
 * Pending windows that arrived packed (a merge's input, streamContract.ts): unpacked, and remembered as made from that
 * packing, so the state stores the same text without packing again. Throws when the packing cannot be read.
 */
export function unpackPendingWindows(packed: PackedWindows): PartialWindow[] {
  let windows = unpackedOf.get(packed);
  if (windows === undefined) {
    windows = unpackWindows(packed);
    unpackedOf.set(packed, windows);
    packedOf.set(windows, packed);
  }
  return windows;
}

/** The live windows packed, when each is keyed by windowKey(its start) (so the keys come back from the starts) and packs. */
function packedLive(windows: Record<string, PartialWindow>): PackedWindows | null {
  const list: PartialWindow[] = [];
  for (const key in windows) {
    const w = windows[key] as PartialWindow;
    if (typeof w?.start !== 'number' || windowKey(w.start) !== key) return null;
    list.push(w);
  }
  if (list.length === 0) return null;
  const packed = packWindows(list);
  if (packed === undefined) return null;
  liveOf.set(packed, windows);
  return packed;
}

/** The state to store: a shallow copy sharing everything but the packed parts (`state` itself when nothing packs). */
export function toStoredState(state: StreamState): StoredStreamState {
  let partitions: Record<string, StoredPartitionProgress> | undefined;
  for (const [id, progress] of Object.entries(state.partitions)) {
    const windows = progress.pending?.windows;
    const packed = windows && windows.length > 0 ? packedWindowsOf(windows) : null;
    if (packed === null) continue;
    partitions ??= { ...state.partitions };
    partitions[id] = {
      ...progress,
      pending: { ...(progress.pending as object), windows: packed },
    } as StoredPartitionProgress;
  }
  const samples = state.samples.length > 0 ? packedSamplesFor(state.samples) : null;
  const live = packedLive(state.windows);
  if (partitions === undefined && samples === null && live === null) return state;
  const stored: StoredStreamState = {
    ...state,
    partitions: partitions ?? state.partitions,
    windows: live ?? state.windows,
    samples: samples ?? state.samples,
  };
  stateOf.set(stored, state);
  return stored;
}

/**
 * A stored version-5 or -6 state in memory: packed windows and samples unpacked (the input is not modified; what is
 * not packed is shared). Throws when a packing cannot be read (migrateStreamState turns that into a refusal).
 */
export function fromStoredState(stored: StoredStreamState): StreamState {
  const known = stateOf.get(stored);
  if (known !== undefined) return known;
  let partitions: Record<string, PartitionProgress> | undefined;
  for (const [id, progress] of Object.entries(stored.partitions ?? {})) {
    const windows = progress?.pending?.windows;
    if (!isPackedWindows(windows)) continue;
    let unpacked = unpackedOf.get(windows);
    if (unpacked === undefined) {
      unpacked = unpackWindows(windows);
      unpackedOf.set(windows, unpacked);
      packedOf.set(unpacked, windows);
    }
    partitions ??= { ...(stored.partitions as unknown as Record<string, PartitionProgress>) };
    partitions[id] = { ...progress, pending: { ...progress.pending, windows: unpacked } } as PartitionProgress;
  }
  let samples: RateSample[] | undefined;
  if (isPackedSamples(stored.samples)) {
    samples = unpackedSamplesOf.get(stored.samples);
    if (samples === undefined) {
      samples = unpackSamples(stored.samples);
      unpackedSamplesOf.set(stored.samples, samples);
      packedSamplesOf.set(samples, stored.samples);
    }
  }
  let windows: Record<string, PartialWindow> | undefined;
  if (isPackedWindows(stored.windows)) {
    windows = liveOf.get(stored.windows);
    if (windows === undefined) {
      windows = {};
      for (const w of unpackWindows(stored.windows)) windows[windowKey(w.start)] = w;
      liveOf.set(stored.windows, windows);
    }
  }
  const state = stored as unknown as StreamState;
  if (partitions === undefined && samples === undefined && windows === undefined) return state;
  return {
    ...state,
    partitions: partitions ?? state.partitions,
    windows: windows ?? state.windows,
    samples: samples ?? state.samples,
  };
}
