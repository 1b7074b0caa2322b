import { aggregateOf, summarize } from '../../src/core/aggregates';
import { gaussian, mulberry32 } from '../../src/core/random/prng';
import { encodeStreamKey } from '../../src/core/streams';
import type { AnalysisDeps } from '../../src/functions/analysis/deps';
import { createMemoryStores } from '../../src/storage/createStores';
import { MemoryAlertStore } from '../../src/storage/memory/MemoryAlertStore';
import { MemoryReportStore } from '../../src/storage/memory/MemoryReportStore';
import { closedWindowRow } from '../support/closedWindowRow';

export const T0 = Date.UTC(2025, 0, 1);
export const MINUTE = 60_000;

/** A closed window exactly as the stream entity writes it: MeasureResult = Summary + Aggregate. */
export function closedWindow(start: number, values: number[]) {
  const aggregate = aggregateOf(values.map((value, i) => ({ value, time: start + i })));
  return closedWindowRow(start, start + MINUTE, {
    events: values.length,
    measures: { value: { ...summarize(aggregate), aggregate } },
  });
}

export interface PlantedStream {
  stream: string;
  /** Window index -> value added to every event of that window. */
  spikes?: Record<number, number>;
}

/** Memory stores seeded with `windows` one-minute windows of 5 noisy events per stream, planted spikes added. */
export async function seededDeps(
  pipeline: string,
  streams: PlantedStream[],
  windows = 60,
  seed = 1,
): Promise<AnalysisDeps> {
  const stores = createMemoryStores();
  const g = gaussian(mulberry32(seed));
  for (const s of streams) {
    const rows = Array.from({ length: windows }, (_, i) =>
      closedWindow(
        T0 + i * MINUTE,
        Array.from({ length: 5 }, () => 100 + 5 * g() + (s.spikes?.[i] ?? 0)),
      ),
    );
    await stores.windows.upsert(encodeStreamKey(pipeline, s.stream), rows);
  }
  await stores.streams.touch(
    streams.map((s) => ({
      pipeline,
      stream: s.stream,
      lastSeen: new Date(T0).toISOString(),
      events: windows * 5,
      eventsPerSec: 1,
    })),
  );
  return {
    pipelines: stores.pipelines,
    windows: stores.windows,
    streams: stores.streams,
    reports: new MemoryReportStore(),
    alerts: new MemoryAlertStore(),
    windowVersions: stores.windowVersions,
  };
}
