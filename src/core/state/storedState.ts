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
 * The entity keeps its parsed state between batches (entity batches): the stored form it sets is what its next
 * operation reads. So a stored state remembers the state it was made from (nothing changes a state in memory after
 * it is stored), and the next operation reads that state itself back, unpacking nothing. A pending partial's windows
 * and the samples array are replaced, never modified (liveWindows.ts, streamState.ts recordSample), so each is also
 * packed once, and pending windows that arrive packed (a merge's input) are stored as they came. The live windows are
 * modified in place by every merge, so they are packed on every store.
 */
const stateOf = new WeakMap<StoredStreamState, StreamState>();

/** A packing of values that are replaced, never modified: each packed once and each packing read once, both remembered. */
function packedOnce<T extends object, P extends object>(pack: (value: T) => P | undefined, unpack: (packed: P) => T) {
  const packedOf = new WeakMap<T, P | null>();
  const unpackedOf = new WeakMap<P, T>();
  return {
    /** The packing of `value`, or null when it does not pack exactly. */
    pack(value: T): P | null {
      let packed = packedOf.get(value);
      if (packed === undefined) {
        packed = pack(value) ?? null;
        packedOf.set(value, packed);
        if (packed !== null) unpackedOf.set(packed, value);
      }
      return packed;
    },
    /** What `packed` holds (throws when it cannot be read). */
    unpack(packed: P): T {
      let value = unpackedOf.get(packed);
      if (value === undefined) {
        value = unpack(packed);
        unpackedOf.set(packed, value);
        packedOf.set(value, packed);
      }
      return value;
    },
  };
}

const pendingPacking = packedOnce(packWindows, unpackWindows);
const samplesPacking = packedOnce(packSamples, unpackSamples);

/**
 * Pending windows that arrived packed (a merge's input, streamContract.ts): unpacked, and remembered as made from that
 * packing, so the state stores the same text without packing again. Throws when the packing cannot be read.
 */
export const unpackPendingWindows = (packed: PackedWindows): PartialWindow[] => pendingPacking.unpack(packed);

/** The live windows packed, when each is keyed by windowKey(its start) (so the keys come back from the starts) and packs. */
function packedLive(windows: Record<string, PartialWindow>): PackedWindows | null {
  const list: PartialWindow[] = [];
  for (const key in windows) {
    const w = windows[key] as PartialWindow;
    if (typeof w?.start !== 'number' || windowKey(w.start) !== key) return null;
    list.push(w);
  }
  if (list.length === 0) return null;
  return packWindows(list) ?? null;
}

/** The state to store: a shallow copy sharing everything but the packed parts (`state` itself when nothing packs). */
export function toStoredState(state: StreamState): StoredStreamState {
  let partitions: Record<string, StoredPartitionProgress> | undefined;
  for (const [id, progress] of Object.entries(state.partitions)) {
    const windows = progress.pending?.windows;
    const packed = windows && windows.length > 0 ? pendingPacking.pack(windows) : null;
    if (packed === null) continue;
    partitions ??= { ...state.partitions };
    partitions[id] = {
      ...progress,
      pending: { ...(progress.pending as object), windows: packed },
    } as StoredPartitionProgress;
  }
  const samples = state.samples.length > 0 ? samplesPacking.pack(state.samples) : null;
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
    const unpacked = pendingPacking.unpack(windows);
    partitions ??= { ...(stored.partitions as unknown as Record<string, PartitionProgress>) };
    partitions[id] = { ...progress, pending: { ...progress.pending, windows: unpacked } } as PartitionProgress;
  }
  const samples = isPackedSamples(stored.samples) ? samplesPacking.unpack(stored.samples) : undefined;
  let windows: Record<string, PartialWindow> | undefined;
  if (isPackedWindows(stored.windows)) {
    windows = {};
    for (const w of unpackWindows(stored.windows)) windows[windowKey(w.start)] = w;
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
