import type { PartialWindow } from '../batch';
import { isPackedWindows, type PackedWindows, packWindows, unpackWindows } from './packedWindows';
import type { PartitionProgress, StreamState } from './types';

/**
 * The stream state as the entity stores it (version 5): the same as in memory but for each pending partial's
 * `windows`, packed (packedWindows.ts) where they round-trip exactly, an array otherwise.
 */
export type StoredStreamState = Omit<StreamState, 'partitions'> & {
  partitions: Record<string, StoredPartitionProgress>;
};
type StoredPartitionProgress = Omit<PartitionProgress, 'pending'> & {
  pending:
    (Omit<NonNullable<PartitionProgress['pending']>, 'windows'> & { windows: PartialWindow[] | PackedWindows }) | null;
};

// A pending partial's windows never change while it is pending (windows are replaced, never modified: liveWindows.ts),
// and the entity keeps its parsed state between batches, so each is packed once and unpacked at most once per process.
const packedOf = new WeakMap<readonly PartialWindow[], PackedWindows | null>();
const unpackedOf = new WeakMap<PackedWindows, PartialWindow[]>();

function packedWindowsOf(windows: PartialWindow[]): PackedWindows | null {
  let packed = packedOf.get(windows);
  if (packed === undefined) {
    packed = packWindows(windows) ?? null;
    packedOf.set(windows, packed);
    if (packed !== null) unpackedOf.set(packed, windows);
  }
  return packed;
}

/** The state to store: `state` itself when nothing packs, else a shallow copy sharing everything but the packed parts. */
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
  return partitions === undefined ? state : { ...state, partitions };
}

/**
 * A stored version-5 state in memory: packed windows unpacked (the input is not modified; what is not packed is
 * shared). Throws when a packing cannot be read (migrateStreamState turns that into a refusal).
 */
export function fromStoredState(stored: StoredStreamState): StreamState {
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
  const state = stored as unknown as StreamState;
  return partitions === undefined ? state : { ...state, partitions };
}
