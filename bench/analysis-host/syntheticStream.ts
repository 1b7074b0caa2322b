import { aggregateOf, summarize } from '../../src/core/aggregates';
import { gaussian, mulberry32 } from '../../src/core/random/prng';
import type { ClosedWindow } from '../../src/core/state';
import type { WindowRecord } from '../../src/storage/types';

export const BENCH_T0 = Date.UTC(2025, 0, 6);
export const WINDOW_MS = 60_000;
export const MEASURE = 'value';

export type Planted = 'spike' | 'dip' | 'level-shift';
const PLANTED_KINDS: readonly Planted[] = ['spike', 'dip', 'level-shift'];

export interface StreamSpec {
  name: string;
  /** Seeds the stream's noise, so the host and the in-process baseline see the same numbers. */
  seed: number;
  planted: Planted | null;
}

/** `streams` names with `planted` of them (evenly spaced) carrying one anomaly each, kinds in turn. */
export function streamSpecs(streams: number, planted: number): StreamSpec[] {
  const stride = planted > 0 ? Math.max(1, Math.floor(streams / planted)) : Infinity;
  const width = String(Math.max(streams - 1, 0)).length;
  return Array.from({ length: streams }, (_, i) => {
    const plantedIndex = i % stride === Math.floor(stride / 2) ? Math.floor(i / stride) : -1;
    const kind =
      plantedIndex >= 0 && plantedIndex < planted ? PLANTED_KINDS[plantedIndex % PLANTED_KINDS.length]! : null;
    return { name: `s${String(i).padStart(width, '0')}`, seed: i + 1, planted: kind };
  });
}

/** The window mean shift planted at window `w` of `windows` (σ of the window means is about 5). */
function plantedOffset(kind: Planted | null, w: number, windows: number): number {
  if (kind === 'spike') return w === Math.floor(windows / 2) ? 60 : 0;
  if (kind === 'dip') return w === Math.floor((windows * 3) / 4) ? -50 : 0;
  if (kind === 'level-shift') return w >= Math.floor(windows / 3) ? 25 : 0;
  return 0;
}

/**
 * One stream's closed windows exactly as the stream entity writes them to the Windows table
 * (`data` is the entity's ClosedWindow with MeasureResult = Summary + Aggregate, sketch included).
 */
export function syntheticWindows(
  pipeline: string,
  spec: StreamSpec,
  windows: number,
  eventsPerWindow: number,
): WindowRecord[] {
  const g = gaussian(mulberry32(spec.seed));
  const level = 100 + (spec.seed % 7) * 10;
  const out: WindowRecord[] = [];
  for (let w = 0; w < windows; w++) {
    const start = BENCH_T0 + w * WINDOW_MS;
    const mean = level + 5 * g() + plantedOffset(spec.planted, w, windows);
    const values = Array.from({ length: eventsPerWindow }, (_, k) => ({
      value: mean + 3 * g(),
      time: start + (k * WINDOW_MS) / eventsPerWindow,
    }));
    const aggregate = aggregateOf(values);
    const closed: ClosedWindow = {
      pipeline,
      stream: spec.name,
      start,
      end: start + WINDOW_MS,
      events: eventsPerWindow,
      measures: { [MEASURE]: { ...summarize(aggregate), aggregate } },
      closedAt: start + 2 * WINDOW_MS,
      closedBy: 'watermark',
    };
    out.push({ start, end: start + WINDOW_MS, data: closed });
  }
  return out;
}
