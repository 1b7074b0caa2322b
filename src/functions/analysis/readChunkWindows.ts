import { type StoredWindow } from '../../core/analysis/fromStoredWindow';
import { compareStreamKeys } from '../../storage/compareStreamKeys';
import type { WindowStore } from '../../storage/types';
import { readWindows } from './readWindows';

const PAGE = 1000;

/**
 * Every stored window of each of `streams` with start in [from, to), ascending, keyed by stream.
 *
 * One range query (paged) from the first to the last stream in key order instead of a query per stream: on
 * Azurite every query scans the whole table, and in Azure fewer requests are cheaper too. Streams inside the
 * range that are not asked for (an explicit list with gaps) are skipped; once those cost more than the wanted
 * windows (and over a page), the range is abandoned and the streams not yet complete are read one by one, so a
 * sparse list never reads much more than it needs.
 */
export async function readChunkWindows(
  store: WindowStore,
  pipeline: string,
  streams: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, StoredWindow[]>> {
  const out = new Map<string, StoredWindow[]>(streams.map((s) => [s, []]));
  const sorted = [...out.keys()].sort(compareStreamKeys);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return out;
  let wanted = 0;
  let foreign = 0;
  let lastStream: string | undefined;
  let continuationToken: string | undefined;
  do {
    if (foreign > Math.max(wanted, PAGE) && lastStream !== undefined) {
      // Results come by stream in key order, so every stream before the last one seen is complete.
      const cut = lastStream;
      for (const s of sorted.filter((s) => compareStreamKeys(s, cut) >= 0)) {
        out.set(s, await readWindows(store, pipeline, s, from, to));
      }
      return out;
    }
    const page = await store.queryRange({
      pipeline,
      fromStream: first,
      toStream: last,
      from: Date.parse(from),
      to: Date.parse(to),
      limit: PAGE,
      ...(continuationToken ? { continuationToken } : {}),
    });
    for (const w of page.items) {
      const windows = out.get(w.stream);
      if (windows) {
        windows.push({ start: w.start, end: w.end, data: w.data });
        wanted++;
      } else {
        foreign++;
      }
      lastStream = w.stream;
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
