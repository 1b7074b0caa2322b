import { encodeStreamKey } from '../../src/core/streams';
import { createStores } from '../../src/storage/createStores';
import { mapLimit } from './mapLimit';
import { BENCH_T0, type StreamSpec, syntheticWindows, WINDOW_MS } from './syntheticStream';

export interface SeedResult {
  ms: number;
  rows: number;
  /** Characters of the rows' `data` JSON (what the analysis reads back). */
  dataChars: number;
}

/**
 * Writes every stream's closed windows to the Windows table and the streams to the Streams
 * catalog through src/storage's Table stores (entity-group transactions of up to 100 rows),
 * `concurrency` streams at a time. Rows are generated per stream, so memory stays flat.
 */
export async function seedTables(
  env: NodeJS.ProcessEnv,
  pipeline: string,
  specs: readonly StreamSpec[],
  windows: number,
  eventsPerWindow: number,
  concurrency: number,
  onProgress: (done: number) => void = () => {},
): Promise<SeedResult> {
  const stores = createStores(env);
  const started = process.hrtime.bigint();
  let dataChars = 0;
  let done = 0;
  await mapLimit(specs, concurrency, async (spec) => {
    const rows = syntheticWindows(pipeline, spec, windows, eventsPerWindow);
    for (const r of rows) dataChars += JSON.stringify(r.data).length;
    await stores.windows.upsert(encodeStreamKey(pipeline, spec.name), rows);
    onProgress(++done);
  });
  const lastSeen = new Date(BENCH_T0 + windows * WINDOW_MS).toISOString();
  const seconds = (windows * WINDOW_MS) / 1000;
  await stores.streams.touch(
    specs.map((s) => ({
      pipeline,
      stream: s.name,
      lastSeen,
      events: windows * eventsPerWindow,
      eventsPerSec: (windows * eventsPerWindow) / seconds,
    })),
  );
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows: specs.length * windows, dataChars };
}
