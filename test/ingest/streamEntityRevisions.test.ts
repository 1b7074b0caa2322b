import {
  closedWindowFromStored,
  compilePipeline,
  mergeEncodedSketches,
  processBatch,
  type StreamPartial,
} from '../../src/core';
import { summarizeIngestMetrics } from '../../src/functions/api/summarizeIngestMetrics';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { EntityDriver } from './entityDriver';

/** Window revisions through the stream entity as the host runs it (docs/explanation/windows-and-lateness.md). */

const T0 = Date.parse('2026-12-07T10:00:00Z');
const compiled = compilePipeline({
  name: 'p',
  window: { type: 'tumbling', size: 'PT1M' },
  lateness: 'PT10S',
  corrections: 'P1D',
  retention: 5,
});
if (!compiled.ok) throw new Error('pipeline');
const pipeline = compiled.pipeline;
const key = streamEntityKey('p', 's');

/** Partition 0's batch at `seq` with events at these offsets from T0 (values 1, 2, ...), its watermark as given. */
const merge = (seq: number, times: number[], watermark?: number) => ({
  partial: processBatch({
    bodies: times.map((t, i) => JSON.stringify({ stream: 's', time: T0 + t, value: i + 1 })),
    partitionId: '0',
    sequenceNumbers: times.map((_, i) => seq + i),
    enqueuedTimes: times.map(() => T0 + 600_000),
    pipelines: [pipeline],
    now: T0 + 602_000,
    ...(watermark === undefined ? {} : { watermarks: () => T0 + watermark }),
  }).partials[0] as StreamPartial,
  pipeline: pipeline.config,
});
const commit = (firstSequence: number, lastSequence: number) => ({
  partition: '0',
  firstSequence,
  lastSequence,
  pipeline: pipeline.config,
});

describe('stream entity: window revisions', () => {
  it('a closed window at v1, late events within corrections make v2 with the delta, once under redelivery and redone operations', async () => {
    const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
    const d = new EntityDriver(
      createStreamEntityHandler(
        () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
        () => T0 + 700_000,
      ),
    );
    // Minute 0 gets two events (1 + 2) and closes once the stream reaches 3 min 10 s.
    await d.run(key, 'merge', merge(0, [5_000, 20_000]));
    await d.run(key, 'merge', merge(2, [190_000]));
    await d.run(key, 'commit', commit(2, 2));
    const latest = async () => (await stores.windows.query(key, { from: T0, to: T0 + 1 })).items[0]?.data;
    expect(await latest()).toMatchObject({ version: 1, events: 2 });
    // Lazy history: closing writes no WindowVersions row; the first revision writes v1 (from the closed window) and v2.
    expect((await stores.windowVersions.list(key, T0)).items).toEqual([]);

    // Two late events (values 1 and 2) for minute 0, later than lateness: pending, then redelivered.
    const late = merge(3, [30_000, 40_000], 190_000);
    expect(late.partial.revisions?.events).toBe(2);
    await d.run(key, 'merge', late);
    expect(await d.run(key, 'merge', late)).toMatchObject({ outcome: 'replaced' });
    expect(await latest()).toMatchObject({ version: 1 });
    // The state before the commit: a host that wrote v2 and crashed before saving its state redoes the commit.
    const beforeCommit = d.states.get(key) as string;
    await d.run(key, 'commit', commit(3, 4));
    d.states.set(key, beforeCommit);
    await d.run(key, 'commit', commit(3, 4));
    // Redelivered after the commit: a duplicate.
    expect(await d.run(key, 'merge', late)).toMatchObject({ outcome: 'ignored' });

    const v2 = closedWindowFromStored(await latest());
    expect(v2).toMatchObject({
      version: 2,
      events: 4,
      measures: { value: { sum: 6, count: 4 } },
      revision: {
        events: { before: 2, after: 4 },
        measures: { value: { before: { sum: 3 }, after: { sum: 6 } } },
        partition: '0',
        firstSequence: 3,
        lastSequence: 4,
      },
    });
    const history = (await stores.windowVersions.list(key, T0)).items;
    expect(history.map((h) => [h.version, (h.data as { events: number }).events])).toEqual([
      [1, 2],
      [2, 4],
    ]);
    const got = await d.run(key, 'get');
    expect(got.ok && got.kind === 'get' && got.view.metrics.revisions).toBe(1);
    // /api/metrics sums the revisions written, per pipeline: the redone commit and the redelivery added none.
    const summary = summarizeIngestMetrics(await stores.ingestMetrics.recent(0), T0, T0 + 3_600_000);
    expect([summary.revisions, summary.revisionsByPipeline]).toEqual([1, { p: 1 }]);
    const state = JSON.parse(d.states.get(key) as string) as { revisionsDue?: unknown };
    expect(state.revisionsDue).toBeUndefined();
  });
});
