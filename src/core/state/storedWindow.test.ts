import { summarize } from '../aggregates';
import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { closedWindowFromStored, toStoredWindow, withSummaries } from './storedWindow';
import { flushIdle, initialStreamState, mergePartialInPlace } from './streamState';
import type { StoredClosedWindow } from './types';

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const T0 = Date.parse('2026-11-26T10:00:00Z');

/** Closed one-minute windows of `perWindow` events with spread values (a sketch of realistic size), two measures. */
function closedWindows(perWindow: number, windows: number): StoredClosedWindow[] {
  const p = pipeline({
    name: 'p',
    window: { type: 'tumbling', size: 'PT1M' },
    measures: { value: 'value', double: 'value * 2' },
  });
  const n = perWindow * windows;
  const partial = processBatch({
    bodies: Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        stream: 's',
        time: T0 + Math.floor((i / n) * windows * 60_000),
        value: 1 + ((i * 7919) % 1000) / 3,
      }),
    ),
    partitionId: '0',
    sequenceNumbers: Array.from({ length: n }, (_, i) => i),
    enqueuedTimes: Array.from({ length: n }, () => T0),
    pipelines: [p],
    now: T0,
  }).partials[0] as StreamPartial;
  const state = initialStreamState();
  mergePartialInPlace(state, partial, T0, p.config);
  return flushIdle(state, T0 + 3_600_000, 60_000).closedWindows;
}

describe('stored closed windows', () => {
  const closed = closedWindows(300, 3);

  it('are closed in the stored form (each measure its aggregate), read back with each summary derived from it', () => {
    expect(closed).toHaveLength(3);
    for (const w of closed) {
      for (const m of Object.values(w.measures)) expect(m).not.toHaveProperty('p50');
      expect(toStoredWindow(w)).toBe(w);
      // Through JSON, as the table stores it.
      const read = closedWindowFromStored(JSON.parse(JSON.stringify(w))) as { measures: Record<string, unknown> };
      for (const [name, aggregate] of Object.entries(w.measures))
        expect(read.measures[name]).toEqual(JSON.parse(JSON.stringify({ ...summarize(aggregate), aggregate })));
      expect(JSON.parse(JSON.stringify(withSummaries(w)))).toEqual(read);
      // Already in the form with summaries: returned as it is (a held window is not summarized again).
      const summarized = withSummaries(w);
      expect(withSummaries(summarized)).toBe(summarized);
      // The form with summaries (kept in a state's unsaved windows) is stored as the same row.
      expect(JSON.parse(JSON.stringify(toStoredWindow(withSummaries(w))))).toEqual(JSON.parse(JSON.stringify(w)));
    }
  });

  it('read rows written before the compact shape (summary + aggregate) unchanged', () => {
    const old = JSON.parse(JSON.stringify(withSummaries(closed[0] as StoredClosedWindow))) as unknown;
    expect(closedWindowFromStored(old)).toEqual(old);
  });

  it('leave data that is not a window as it is', () => {
    const badSketch = { measures: { m: { count: 1, sum: 1, mean: 1, m2: 0, min: 1, max: 1, sketch: 'not a sketch' } } };
    for (const v of [null, 3, 'x', [], { events: 1 }, { measures: { m: { count: 1 } } }, badSketch])
      expect(closedWindowFromStored(v)).toEqual(v);
  });

  it('take fewer bytes per row (printed: the numbers in docs/explanation/table-layout.md)', () => {
    const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
    const before = closed.reduce((n, w) => n + bytes(withSummaries(w)), 0) / closed.length;
    const after = closed.reduce((n, w) => n + bytes(w), 0) / closed.length;
    process.stdout.write(
      `stored window, 2 measures, 300 events: ${Math.round(before)} bytes before, ${Math.round(after)} after\n`,
    );
    expect(after).toBeLessThan(before);
  });
});
