import { type StoredWindow } from '../../core/analysis/fromStoredWindow';
import { encodeStreamKey } from '../../core/streams';
import { allItems } from '../../storage/allItems';
import type { WindowStore } from '../../storage/types';

/** Every stored window of (pipeline, stream) (Windows key encodeStreamKey) with start in [from, to), ascending, across pages. */
export async function readWindows(
  store: WindowStore,
  pipeline: string,
  stream: string,
  from: string,
  to: string,
): Promise<StoredWindow[]> {
  const out: StoredWindow[] = [];
  // A requested name with a lone surrogate has no key (ingest dead-letters such keys), so it has no windows.
  if (!stream.isWellFormed() || !pipeline.isWellFormed()) return out;
  const key = encodeStreamKey(pipeline, stream);
  const range = { from: Date.parse(from), to: Date.parse(to), limit: 1000 };
  for await (const w of allItems((c) => store.query(key, { ...range, ...c }))) out.push(w);
  return out;
}
