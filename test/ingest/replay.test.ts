import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import {
  type ReplayAnswer,
  replayDeadLetters,
  replayRequestSchema,
} from '../../src/functions/replay/replayDeadLetters';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, ingestProcess, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const ev = (stream: string, second: number, val: number) =>
  JSON.stringify({ stream, time: new Date(T0 + second * 1000).toISOString(), val });
const MOVE = [{ op: 'move', from: '/val', path: '/value' }];

function harness() {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const clock = { now: T0 + 10 * 60_000 };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
      () => clock.now,
    ),
  );
  const deps: IngestDeps = {
    ...ingestProcess(stores),
    now: () => clock.now,
    signal: driver.signal,
  };
  const replay = async (body: Record<string, unknown>) => {
    const sent: string[] = [];
    const answer = await replayDeadLetters(
      stores,
      replayRequestSchema.parse(body),
      (m) => void sent.push(...m),
      clock.now,
    );
    if ('invalidFix' in answer) throw new Error(answer.invalidFix);
    return { answer: answer as ReplayAnswer, sent };
  };
  const totals = async (pipeline: string, stream: string) => {
    const v = await view(driver, encodeStreamKey(pipeline, stream));
    return [v.totals['v']?.count, v.totals['v']?.sum];
  };
  return { stores, deps, driver, replay, totals };
}

describe('dead-letter replay through ingest (memory stores, the entity through the SDK)', () => {
  it('a fixed replay is taken only by the pipeline that dead-lettered it, counts once, and a second replay counts nothing', async () => {
    const { stores, deps, replay, totals } = harness();
    const window = { type: 'tumbling', size: 'PT1M' };
    await stores.pipelines.put('a', { name: 'a', measures: { v: 'value' }, window, lateness: 'PT1H' });
    await stores.pipelines.put('b', { name: 'b', measures: { v: 'val' }, window, lateness: 'PT1H' });
    await deliver(
      deps,
      '0',
      0,
      [1, 2, 3, 4, 5].map((i) => ev('s', i, i)),
    );
    expect(
      (await stores.deadLetters.query({ reason: 'schema' })).items.map((d) => [d.pipeline, d.sequenceNumber]),
    ).toEqual([0, 1, 2, 3, 4].map((i) => ['a', i]));
    expect(await totals('b', 's')).toEqual([5, 15]);

    const dry = await replay({ reason: 'schema', fix: MOVE, dryRun: true });
    expect(dry.sent).toEqual([]);
    expect(dry.answer.items.map((i) => [i.pipeline, JSON.parse(i.body).value, i.outcome])).toEqual(
      [1, 2, 3, 4, 5].map((v) => ['a', v, [{ pipeline: 'a', outcome: 'aggregated' }]]),
    );
    expect((await stores.deadLetters.query()).items.every((d) => d.replay === undefined)).toBe(true);

    const first = await replay({ reason: 'schema', fix: MOVE });
    expect({ sent: first.answer.sent, selected: first.answer.selected }).toEqual({ sent: 5, selected: 5 });
    expect(
      (await stores.deadLetters.query()).items.every(
        (d) => d.replay?.id === first.answer.replayId && d.replay.fix?.length === 1,
      ),
    ).toBe(true);
    await deliver(deps, '1', 0, first.sent);
    expect(await totals('a', 's')).toEqual([5, 15]);
    expect(await totals('b', 's')).toEqual([5, 15]);

    // Again: the ledger knows every one, nothing is sent.
    const second = await replay({ reason: 'schema', fix: MOVE });
    expect({ sent: second.answer.sent, alreadyApplied: second.answer.alreadyApplied }).toEqual({
      sent: 0,
      alreadyApplied: 5,
    });
    // Sent anyway (a new message of the same dead letters): ingest drops them as duplicates.
    await deliver(deps, '1', 5, first.sent);
    // The first replay message redelivered (same partition and sequence numbers): the scheme keeps it exact.
    await deliver(deps, '1', 0, first.sent);
    expect(await totals('a', 's')).toEqual([5, 15]);
    await deps.metrics.flush();
    const rows = await stores.ingestMetrics.recent(0);
    expect([rows.reduce((n, r) => n + r.replayed, 0), rows.reduce((n, r) => n + r.replayDuplicates, 0)]).toEqual([
      15, 5,
    ]);
  });

  it('a replay that fails again replaces its dead letter and frees its claim, so a better fix replays it', async () => {
    const { stores, deps, replay, totals } = harness();
    await stores.pipelines.put('a', {
      name: 'a',
      measures: { v: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT1H',
    });
    await deliver(deps, '0', 0, [ev('t', 1, 7), 'not json']);
    const wrong = await replay({ reason: 'schema', fix: [{ op: 'add', path: '/other', value: 1 }] });
    await deliver(deps, '1', 0, wrong.sent);
    const dead = (await stores.deadLetters.query({ reason: 'schema' })).items;
    expect(dead.map((d) => [d.partition, d.sequenceNumber, d.replay?.id, JSON.parse(d.raw).other])).toEqual([
      ['0', 0, wrong.answer.replayId, 1],
    ]);
    const bad = await replay({ reason: 'invalid-json', fix: MOVE });
    expect(bad.answer.fixFailed).toEqual([
      { partition: '0', sequenceNumber: 1, pipeline: 'a', error: expect.stringContaining('the body is not JSON') },
    ]);
    const right = await replay({ reason: 'schema', fix: MOVE });
    expect(right.answer.sent).toBe(1);
    await deliver(deps, '1', 1, right.sent);
    expect(await totals('a', 't')).toEqual([1, 7]);
    expect((await replay({ reason: 'schema', fix: MOVE })).answer.alreadyApplied).toBe(1);
  });
});
