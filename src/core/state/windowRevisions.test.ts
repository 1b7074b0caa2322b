import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { processBatch, type StreamPartial } from '../batch';
import { compilePipeline, parsePipeline } from '../pipelines';
import { migrateStreamState } from './migrate';
import { closedWindowFromStored } from './storedWindow';
import { commitThrough, initialStreamState, mergePartial, streamView } from './streamState';
import type { ClosedWindow, StreamState } from './types';
import { reviseClosedWindow } from './windowRevisions';

/** State saved by the version-3 code: minute 0 (2 events, values 1 and 2) closed, minutes 1-3 live or pending. */
const v3Text = readFileSync(join(__dirname, 'fixtures', 'streamState.v3.json'), 'utf8');
const T0 = Date.parse('2026-12-07T10:00:00Z');

function pipeline(corrections?: string) {
  const c = compilePipeline({
    name: 'p',
    measures: { value: 'value' },
    window: { type: 'tumbling', size: 'PT1M' },
    lateness: 'PT10S',
    retention: 5,
    ...(corrections === undefined ? {} : { corrections }),
  });
  if (!c.ok) throw new Error('pipeline');
  return c.pipeline;
}

function migrated(): StreamState {
  const r = migrateStreamState(JSON.parse(v3Text));
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

/** A batch of partition 0 with events of stream s at these offsets from T0 (values 10, 20, ...). */
function batch(p: ReturnType<typeof pipeline>, seq: number, times: number[], at: number) {
  return processBatch({
    bodies: times.map((t, i) => JSON.stringify({ stream: 's', time: T0 + t, value: 10 * (i + 1) })),
    partitionId: '0',
    sequenceNumbers: times.map((_, i) => seq + i),
    enqueuedTimes: times.map(() => T0 + 300_000),
    pipelines: [p],
    now: at,
    // Partition 0's watermark for s, as ingest's progress store would have it after the fixture's batches.
    watermarks: () => T0 + 190_000,
  });
}

describe('window revisions (corrections)', () => {
  it('migrates the version-3 state to the current version with no revisions, holding what it held', () => {
    const stored = JSON.parse(v3Text) as Record<string, unknown>;
    const r = migrateStreamState(stored);
    if (!r.ok) throw new Error(r.error);
    expect([r.from, r.state.version, r.state.revisions, r.state.revisionsDue]).toEqual([3, 6, 0, undefined]);
    expect({ ...r.state, version: 3, revisions: undefined }).toEqual({ ...stored, revisions: undefined });
    expect(JSON.stringify(stored)).toBe(JSON.stringify(JSON.parse(v3Text)));
    expect(streamView(r.state).metrics.revisions).toBe(0);
  });

  it('an event later than lateness but within corrections travels as a revision and is applied once, at commit', () => {
    const p = pipeline('P1D');
    const late = batch(p, 5, [30_000, 40_000], T0 + 304_000);
    expect(late.deadLetters).toEqual([]);
    const partial = late.partials[0] as StreamPartial;
    expect([partial.events, partial.windows, partial.revisions?.events]).toEqual([0, [], 2]);
    expect(partial.revisions).toMatchObject({ firstSequence: 5, lastSequence: 6, windows: [{ start: T0, events: 2 }] });

    let s = mergePartial(migrated(), partial, T0 + 304_000, p.config).state;
    // Pending: nothing revised yet. A redelivery of the same batch replaces the pending partial.
    expect([s.revisions, s.revisionsDue]).toEqual([0, undefined]);
    const again = mergePartial(s, partial, T0 + 305_000, p.config);
    expect(again.outcome).toBe('replaced');
    s = commitThrough(again.state, '0', { firstSequence: 5, lastSequence: 6 }, T0 + 306_000, p.config).state;
    expect(s.revisions).toBe(1);
    expect(
      s.revisionsDue?.map((r) => [r.start, r.window.events, r.partition, r.firstSequence, r.lastSequence]),
    ).toEqual([[T0, 2, '0', 5, 6]]);
    // A redelivery after the commit is a duplicate: no second revision.
    const dup = mergePartial(s, partial, T0 + 307_000, p.config);
    expect([dup.outcome, dup.state.revisions, dup.state.revisionsDue?.length]).toEqual(['ignored', 1, 1]);
    expect(streamView(dup.state).metrics.revisions).toBe(1);
  });

  it('beyond corrections, or with corrections off, a late event stays dead-lettered late', () => {
    const beyond = batch(pipeline('PT2M'), 5, [30_000], T0 + 304_000);
    expect(beyond.deadLetters.map((d) => d.reason)).toEqual(['late']);
    expect(beyond.partials[0]?.revisions).toBeUndefined();
    const off = batch(pipeline(), 5, [30_000], T0 + 304_000);
    expect(off.deadLetters.map((d) => d.reason)).toEqual(['late']);
    // Window [T0, T0+1m) ended 130 s before the watermark: within PT3M it is revised.
    expect(batch(pipeline('PT3M'), 5, [30_000], T0 + 304_000).deadLetters).toEqual([]);
  });

  it('writes version n+1 with the delta and the sequence range, and not again for the same revision', () => {
    const p = pipeline('P1D');
    const partial = batch(p, 5, [30_000, 40_000], T0 + 304_000).partials[0] as StreamPartial;
    const s = commitThrough(
      mergePartial(migrated(), partial, T0 + 304_000, p.config).state,
      '0',
      { firstSequence: 5, lastSequence: 6 },
      T0 + 306_000,
      p.config,
    ).state;
    const revision = s.revisionsDue?.[0];
    if (revision === undefined) throw new Error('expected a revision due');
    // Version 1 as the entity closed it: minute 0 with the fixture's values 1 and 2.
    const v1 = batchClosed(p);
    expect([v1.version, v1.events, v1.measures['value']?.sum]).toEqual([1, 2, 3]);
    const v2 = reviseClosedWindow(v1, revision, T0 + 306_000);
    expect(v2).toMatchObject({
      version: 2,
      events: 4,
      measures: { value: { sum: 33, count: 4 } },
      revision: {
        events: { before: 2, after: 4 },
        measures: { value: { before: { sum: 3, count: 2 }, after: { sum: 33, count: 4 } } },
        partition: '0',
        firstSequence: 5,
        lastSequence: 6,
      },
    });
    expect(reviseClosedWindow(v2 as ClosedWindow, revision, T0 + 307_000)).toBeNull();
  });

  it('refuses corrections not longer than lateness, on a session window, or not a duration, naming the field', () => {
    const issues = (d: Record<string, unknown>) => {
      const r = parsePipeline({ name: 'p', ...d });
      return r.ok ? [] : r.issues.map((i) => i.message);
    };
    expect(issues({ lateness: 'PT1M', corrections: 'PT30S' })).toEqual([
      'corrections: expected a duration longer than lateness (PT1M); found "PT30S"',
    ]);
    expect(issues({ window: { type: 'session', gap: 'PT5M' }, corrections: 'P1D' })[0]).toContain(
      'corrections: expected no corrections for a session window',
    );
    expect(issues({ corrections: '7 days' })[0]).toContain('corrections');
    expect(issues({ corrections: 'P7D' })).toEqual([]);
  });
});

/** Minute 0 (values 1 and 2) as the entity closes it: its batch commits and a later one moves the watermark on. */
function batchClosed(p: ReturnType<typeof pipeline>): ClosedWindow {
  const b = (seq: number, times: number[], at: number) =>
    processBatch({
      bodies: times.map((t, i) => JSON.stringify({ stream: 's', time: T0 + t, value: i + 1 })),
      partitionId: '0',
      sequenceNumbers: times.map((_, i) => seq + i),
      enqueuedTimes: times.map(() => T0 + 300_000),
      pipelines: [p],
      now: at,
    }).partials[0] as StreamPartial;
  let s = mergePartial(initialStreamState(), b(0, [5_000, 20_000], T0 + 301_000), T0 + 301_000, p.config).state;
  s = mergePartial(s, b(2, [130_000], T0 + 302_000), T0 + 302_000, p.config).state;
  const closed = commitThrough(s, '0', { firstSequence: 2, lastSequence: 2 }, T0 + 303_000, p.config).closedWindows;
  expect(closed.map((w) => w.start)).toEqual([T0]);
  // As the revision reads it: the row, with its summaries derived.
  return closedWindowFromStored(JSON.parse(JSON.stringify(closed[0]))) as ClosedWindow;
}
