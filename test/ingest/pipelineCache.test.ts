import { processBatch } from '../../src/core';
import { PipelineCache } from '../../src/functions/ingest/pipelineCache';
import { createMemoryStores } from '../../src/storage';

const T0 = Date.parse('2026-11-26T10:00:00Z');
// Stored before compile-time refusals existed (the store itself does not validate): it no longer compiles.
const QUADRATIC = { match: 'kind == "xs"', filter: 'size(xs.map(x, xs + [x])) > 0' };

describe('PipelineCache: a stored pipeline that stops compiling', () => {
  it('keeps running the version this process compiled earlier, warning once per refresh', async () => {
    const stores = createMemoryStores();
    await stores.pipelines.put('lists', { match: 'kind == "xs"', filter: 'size(xs) > 0' });
    const cache = new PipelineCache(stores.pipelines, 1000);
    const warnings: string[] = [];
    const warn = (m: string) => void warnings.push(m);
    expect((await cache.get(T0, warn)).map((p) => [p.name, p.filter?.text])).toEqual([['lists', 'size(xs) > 0']]);
    await stores.pipelines.put('lists', QUADRATIC);
    for (const at of [T0 + 1000, T0 + 1100, T0 + 1500]) {
      const pipelines = await cache.get(at, warn);
      expect(pipelines.map((p) => [p.name, p.filter?.text, p.unusable])).toEqual([
        ['lists', 'size(xs) > 0', undefined],
      ]);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^pipeline lists no longer compiles \(.*concatenation \(\+\) inside a comprehension body is not allowed.*\); still running the version this process compiled earlier/,
    );
    await cache.get(T0 + 2000, warn);
    expect(warnings).toHaveLength(2);
  });

  it('without an earlier version, dead-letters the events its match takes (as expression, naming the problem) and filters the rest', async () => {
    const stores = createMemoryStores();
    await stores.pipelines.put('lists', QUADRATIC);
    await stores.pipelines.put('rooms', { match: 'kind == "room"', key: 'room' });
    const warnings: string[] = [];
    const pipelines = await new PipelineCache(stores.pipelines, 1000).get(T0, (m) => void warnings.push(m));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^pipeline lists no longer compiles .*; the events it takes are dead-lettered as expression until it is fixed/,
      ),
    ]);
    const bodies = [
      { kind: 'xs', stream: 'a', value: 1, xs: [1] },
      { kind: 'room', room: 'r1', value: 20 },
    ];
    const r = processBatch({
      bodies,
      partitionId: '0',
      sequenceNumbers: [1, 2],
      enqueuedTimes: [T0, T0],
      pipelines,
      now: T0,
    });
    expect(r.metrics.byPipeline['lists']).toMatchObject({
      eventsIn: 2,
      aggregated: 0,
      filtered: 1,
      deadLettered: 1,
      byReason: { expression: 1 },
    });
    expect(r.metrics.byPipeline['rooms']).toMatchObject({ eventsIn: 2, aggregated: 1, filtered: 1 });
    expect(r.deadLetters).toEqual([
      expect.objectContaining({
        pipeline: 'lists',
        sequenceNumber: 1,
        reason: 'expression',
        detail: expect.stringMatching(
          /^pipeline lists is stored but no longer compiles: filter: .*concatenation.*; fix it with PUT \/api\/pipelines\/lists/,
        ),
      }),
    ]);
    expect(r.metrics.eventsIn).toBe(r.metrics.aggregated + r.metrics.filtered + r.metrics.deadLettered);
  });
});
