import fc from 'fast-check';

import { aggregateOf, summarize } from '../../src/core/aggregates';
import { encodeStreamKey } from '../../src/core/streams';
import { CHUNK_CHARS } from '../../src/storage/chunkedText';
import { compareStreamKeys } from '../../src/storage/compareStreamKeys';
import { DEAD_LETTER_RAW_LIMIT } from '../../src/storage/deadLetterRow';
import { StorageInputError } from '../../src/storage/StorageInputError';
import type {
  DeadLetterRecord,
  MergeLatencySketches,
  Page,
  PageOptions,
  Stores,
  StreamActivity,
} from '../../src/storage/types';
import { closedWindowData, closedWindowRow } from '../support/closedWindowRow';

export type StoresFactory = (options?: { mergeLatencySketches?: MergeLatencySketches }) => Promise<Stores>;

/** Reads every page, checking that pages respect the limit. */
async function drain<T>(query: (page: PageOptions) => Promise<Page<T>>, limit?: number): Promise<T[]> {
  const out: T[] = [];
  let continuationToken: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await query({ limit, continuationToken });
    if (limit !== undefined) expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    if (!page.continuationToken) return out;
    continuationToken = page.continuationToken;
  }
  throw new Error('pagination did not end');
}

const deadLetter = (over: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
  raw: '{"bad json',
  reason: 'invalid-json',
  detail: 'Unexpected end of JSON input',
  partition: '0',
  sequenceNumber: 1,
  enqueuedTime: '2024-05-01T10:00:00.000Z',
  recordedAt: '2024-05-01T10:00:01.000Z',
  ...over,
});

/**
 * A cutoff strictly between the writes before and after this call, on the clock the stores stamp writes with (the
 * Table service's Timestamp comes from Azurite's clock, the same machine clock as ours). The pauses only separate
 * the two sets of writes in time; nothing is measured.
 */
export async function clockBetweenWrites(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 15));
  const cutoff = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 15));
  return cutoff;
}

/** One behavioural contract, run against every implementation of the stores. */
export function defineStoresContract(label: string, createStores: StoresFactory): void {
  describe(`${label}: pipelines`, () => {
    it('puts, gets, lists, replaces and deletes definitions', async () => {
      const { pipelines } = await createStores();
      expect(await pipelines.get('temps')).toBeUndefined();
      const put = await pipelines.put('temps', { source: 'x', window: '1m' });
      expect(put).toMatchObject({ name: 'temps', definition: { source: 'x', window: '1m' } });
      expect(Date.parse(put.updatedAt)).not.toBeNaN();
      await pipelines.put('a/b#c?d', [1, 2]);
      expect(await pipelines.get('a/b#c?d')).toMatchObject({ name: 'a/b#c?d', definition: [1, 2] });
      await pipelines.put('temps', { source: 'y' });
      expect((await pipelines.get('temps'))?.definition).toEqual({ source: 'y' });
      expect((await pipelines.list()).map((p) => p.name).sort()).toEqual(['a/b#c?d', 'temps']);
      expect(await pipelines.delete('temps')).toBe(true);
      expect(await pipelines.delete('temps')).toBe(false);
      expect((await pipelines.list()).map((p) => p.name)).toEqual(['a/b#c?d']);
    });

    it('numbers every put and keeps each earlier definition as a version; delete drops the history', async () => {
      const { pipelines } = await createStores();
      expect(await pipelines.versions('v/1')).toEqual([]);
      expect((await pipelines.put('v/1', { filter: 'a' })).version).toBe(1);
      expect((await pipelines.put('v/1', { filter: 'b' })).version).toBe(2);
      await pipelines.put('v/10', { filter: 'other' });
      expect(await pipelines.get('v/1')).toMatchObject({ version: 2, definition: { filter: 'b' } });
      expect((await pipelines.list()).find((p) => p.name === 'v/1')?.version).toBe(2);
      const versions = await pipelines.versions('v/1');
      expect(versions.map((v) => [v.name, v.version, v.definition])).toEqual([
        ['v/1', 1, { filter: 'a' }],
        ['v/1', 2, { filter: 'b' }],
      ]);
      expect(versions.every((v) => !Number.isNaN(Date.parse(v.updatedAt)))).toBe(true);
      const together = await Promise.all([
        pipelines.put('v/1', { filter: 'c' }),
        pipelines.put('v/1', { filter: 'd' }),
      ]);
      expect(together.map((p) => p.version).sort()).toEqual([3, 4]);
      expect(await pipelines.delete('v/1')).toBe(true);
      expect(await pipelines.versions('v/1')).toEqual([]);
      expect((await pipelines.put('v/1', { filter: 'e' })).version).toBe(1);
      expect((await pipelines.versions('v/10')).map((v) => v.version)).toEqual([1]);
    });

    it('stores definitions larger than one property, and rejects ones beyond an entity', async () => {
      const { pipelines } = await createStores();
      // ASCII (a-z cycling, so chunk order shows): Azurite 3.35 decodes each TCP read of a request body on its own
      // (table/generated/utils/serializer.js readRequestIntoText joins Buffers with ""), so a multi-byte character
      // split between two reads of a body this size comes back as two U+FFFD - depending on timing, not on our code.
      const big = {
        text: Array.from({ length: CHUNK_CHARS * 2 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''),
      };
      await pipelines.put('big', big);
      expect((await pipelines.get('big'))?.definition).toEqual(big);
      await expect(pipelines.put('huge', { text: 'x'.repeat(CHUNK_CHARS * 20) })).rejects.toThrow(StorageInputError);
      await expect(pipelines.put('', {})).rejects.toThrow(/name: expected a pipeline name/);
    });
  });

  describe(`${label}: replay ledger and replay marks`, () => {
    it('a claim is taken once: the first claimant wins, later ones read its claim; release frees only its own', async () => {
      const { replayLedger } = await createStores();
      const key = { partition: '3', sequenceNumber: 41, pipeline: 'p/1' };
      const first = { ...key, by: { partition: '0', sequenceNumber: 900 }, at: '2026-03-01T00:00:00.000Z' };
      const second = { ...key, by: { partition: '1', sequenceNumber: 5 }, at: '2026-03-01T00:01:00.000Z' };
      expect(await replayLedger.get([key])).toEqual([undefined]);
      const [a, b] = await replayLedger.claim([first, { ...key, pipeline: '*', by: first.by, at: first.at }]);
      expect(a).toEqual(first);
      expect(b?.pipeline).toBe('*');
      expect(await replayLedger.claim([second])).toEqual([first]);
      const together = await Promise.all([
        replayLedger.claim([{ ...second, sequenceNumber: 42 }]),
        replayLedger.claim([{ ...first, sequenceNumber: 42 }]),
      ]);
      expect(together[0]).toEqual(together[1]);
      await replayLedger.release([second]);
      expect(await replayLedger.get([key, { ...key, sequenceNumber: 7 }])).toEqual([first, undefined]);
      await replayLedger.release([first]);
      expect(await replayLedger.get([key])).toEqual([undefined]);
      expect(await replayLedger.claim([second])).toEqual([second]);
      await expect(replayLedger.claim([{ ...second, pipeline: '' }])).rejects.toThrow(StorageInputError);
    });

    it('markReplayed records the replay on each dead letter, and a dead letter written again keeps what it is given', async () => {
      const { deadLetters } = await createStores();
      const record = {
        raw: '{"val":1}',
        reason: 'schema',
        detail: 'no measure',
        partition: '2',
        sequenceNumber: 7,
        enqueuedTime: '2026-03-01T10:00:00.000Z',
        recordedAt: '2026-03-01T10:00:01.000Z',
        pipeline: 'p',
        pipelineVersion: 3,
      };
      await deadLetters.add([record, { ...record, sequenceNumber: 8 }]);
      const [stored] = (await deadLetters.query({ reason: 'schema' })).items;
      expect(stored).toMatchObject({ pipelineVersion: 3 });
      const replay = { at: '2026-03-02T00:00:00.000Z', id: 'r1', fix: [{ op: 'move', from: '/val', path: '/value' }] };
      await deadLetters.markReplayed([stored as DeadLetterRecord, { ...record, sequenceNumber: 99 }], replay);
      const items = (await deadLetters.query()).items;
      expect(items.map((d) => [d.sequenceNumber, d.replay])).toEqual([
        [7, replay],
        [8, undefined],
      ]);
      expect(items.length).toBe(2);
      await deadLetters.add([{ ...record, reason: 'late', replay: { at: '2026-03-03T00:00:00.000Z', id: 'r2' } }]);
      expect((await deadLetters.query()).items[0]).toMatchObject({ reason: 'late', replay: { id: 'r2' } });
    });
  });

  describe(`${label}: late attempts and dead-letter withdrawal`, () => {
    it('keeps one record per partition (the last put replaces it), with its letters exactly; validates what it is given', async () => {
      const { lateAttempts } = await createStores();
      expect(await lateAttempts.get('p|1')).toBeUndefined();
      const letters = [
        { partition: 'p|1', sequenceNumber: 12, pipeline: 'a/b', enqueuedTime: '2026-03-01T10:00:00Z' },
        { partition: 'p|1', sequenceNumber: 14, enqueuedTime: '2026-03-01T10:59:59.999Z' },
      ];
      await lateAttempts.put({ partition: 'p|1', firstSequence: 10, lastSequence: 20, letters });
      await lateAttempts.put({ partition: '2', firstSequence: 0, lastSequence: 0, letters: [] });
      expect(await lateAttempts.get('p|1')).toEqual({
        partition: 'p|1',
        firstSequence: 10,
        lastSequence: 20,
        letters: [{ ...letters[0], enqueuedTime: '2026-03-01T10:00:00.000Z' }, letters[1]],
      });
      await lateAttempts.put({
        partition: 'p|1',
        firstSequence: 21,
        lastSequence: 30,
        letters: [{ partition: 'p|1', sequenceNumber: 25, pipeline: 'x', enqueuedTime: '2026-03-01T11:00:00.000Z' }],
      });
      expect((await lateAttempts.get('p|1'))?.letters.map((l) => l.sequenceNumber)).toEqual([25]);
      expect(await lateAttempts.get('2')).toEqual({ partition: '2', firstSequence: 0, lastSequence: 0, letters: [] });
      // Many letters (a large batch) span several chunks of the row.
      const many = Array.from({ length: 3000 }, (_, i) => ({
        partition: '2',
        sequenceNumber: 1000 + i,
        pipeline: 'pipeline-with-a-long-name',
        enqueuedTime: '2026-03-01T10:00:00.000Z',
      }));
      await lateAttempts.put({ partition: '2', firstSequence: 1000, lastSequence: 3999, letters: many });
      expect((await lateAttempts.get('2'))?.letters).toEqual(many);
      await expect(lateAttempts.put({ partition: '', firstSequence: 0, lastSequence: 0, letters: [] })).rejects.toThrow(
        StorageInputError,
      );
      await expect(
        lateAttempts.put({ partition: '3', firstSequence: 5, lastSequence: 4, letters: [] }),
      ).rejects.toThrow(/lastSequence: expected at least firstSequence/);
      await expect(
        lateAttempts.put({
          partition: '3',
          firstSequence: 0,
          lastSequence: 4,
          letters: [{ partition: '4', sequenceNumber: 1, enqueuedTime: '2026-03-01T10:00:00Z' }],
        }),
      ).rejects.toThrow(/letters\[0\]\.partition/);
      await expect(
        lateAttempts.put({
          partition: '3',
          firstSequence: 0,
          lastSequence: 4,
          letters: [{ partition: '3', sequenceNumber: 1, enqueuedTime: 'yesterday' }],
        }),
      ).rejects.toThrow(StorageInputError);
      expect(await lateAttempts.get('3')).toBeUndefined();
    });

    it('withdraw deletes exactly the event dead letters named (partition, sequence, pipeline, hour), skips rows already gone, keeps storage records', async () => {
      const { deadLetters } = await createStores();
      const late = (
        sequenceNumber: number,
        pipeline: string,
        enqueuedTime = '2026-03-01T10:30:00.000Z',
      ): DeadLetterRecord => ({
        raw: `{"n":${sequenceNumber}}`,
        reason: 'late',
        detail: 'late',
        partition: '5',
        sequenceNumber,
        enqueuedTime,
        recordedAt: '2026-03-01T10:31:00.000Z',
        pipeline,
        stream: 's',
      });
      const storage: DeadLetterRecord = { ...late(1, 'p'), reason: 'storage', raw: '{}' };
      await deadLetters.add([
        late(1, 'p'),
        late(1, 'q'),
        late(2, 'p', '2026-03-01T11:00:00.000Z'),
        late(3, 'p'),
        storage,
      ]);
      await deadLetters.withdraw([
        { partition: '5', sequenceNumber: 1, pipeline: 'p', enqueuedTime: '2026-03-01T10:30:00Z' },
        { partition: '5', sequenceNumber: 2, pipeline: 'p', enqueuedTime: '2026-03-01T11:00:00.000Z' },
        { partition: '5', sequenceNumber: 9, pipeline: 'p', enqueuedTime: '2026-03-01T10:30:00.000Z' },
      ]);
      const left = (await drain((page) => deadLetters.query(page)))
        .map((d) => `${d.sequenceNumber}:${d.pipeline}:${d.reason}`)
        .sort();
      expect(left).toEqual(['1:p:storage', '1:q:late', '3:p:late']);
      await deadLetters.withdraw([]);
      await deadLetters.withdraw([
        { partition: '5', sequenceNumber: 1, pipeline: 'p', enqueuedTime: '2026-03-01T10:30:00Z' },
      ]);
      expect(await drain((page) => deadLetters.query(page))).toHaveLength(3);
    });
  });

  describe(`${label}: window versions`, () => {
    const key = encodeStreamKey('temps', 'room/1#a');
    const version = (start: number, v: number, events: number) => ({
      start,
      version: v,
      data: { ...closedWindowRow(start, start + 60_000, { events }).data, version: v },
    });

    it("keeps each version of a window apart, lists one window's in version order, idempotently", async () => {
      const { windowVersions } = await createStores();
      // Window 60_000 has versions 1, 2 and 10 (10 sorts after 2); its neighbours' versions must not appear.
      await windowVersions.put(key, [version(60_000, 10, 12), version(60_000, 1, 2), version(0, 1, 5)]);
      await windowVersions.put(key, [version(60_000, 2, 4), version(120_000, 1, 7)]);
      await windowVersions.put(key, [version(60_000, 2, 4)]); // a rewrite of the same version replaces it
      await windowVersions.put(encodeStreamKey('temps', 'other'), [version(60_000, 3, 9)]);
      const listed = await drain((page) => windowVersions.list(key, 60_000, page), 2);
      expect(listed).toEqual([version(60_000, 1, 2), version(60_000, 2, 4), version(60_000, 10, 12)]);
      expect((await windowVersions.list(key, 0)).items).toEqual([version(0, 1, 5)]);
      expect((await windowVersions.list(key, 180_000)).items).toEqual([]);
      await expect(windowVersions.put(key, [version(0, 0, 1)])).rejects.toThrow('version: expected an integer');
      expect(await windowVersions.deleteStream(key, 100)).toEqual({ deleted: 5, more: false });
      expect((await windowVersions.list(key, 60_000)).items).toEqual([]);
      expect((await windowVersions.list(encodeStreamKey('temps', 'other'), 60_000)).items).toHaveLength(1);
    });

    it('lists the versions of every window starting in [from, to), by start then version, in one range', async () => {
      const { windowVersions } = await createStores();
      await windowVersions.put(key, [
        version(0, 1, 1),
        version(60_000, 2, 3),
        version(60_000, 1, 2),
        version(120_000, 1, 4),
        version(180_000, 1, 5),
      ]);
      await windowVersions.put(encodeStreamKey('temps', 'other'), [version(60_000, 1, 9)]);
      const listed = await drain((page) => windowVersions.listRange(key, 60_000, 180_000, page), 2);
      expect(listed).toEqual([version(60_000, 1, 2), version(60_000, 2, 3), version(120_000, 1, 4)]);
      expect((await windowVersions.listRange(key, 61_000, 120_000)).items).toEqual([]);
      await expect(windowVersions.listRange(key, -1, 10)).rejects.toThrow('from: expected a non-negative integer');
    });
  });

  describe(`${label}: windows`, () => {
    const key = encodeStreamKey('temps', 'room/1#a');

    it('upserts idempotently and queries in start order with from/to', async () => {
      const { windows } = await createStores();
      const row = (start: number, end: number, events: number) => closedWindowRow(start, end, { events });
      await windows.upsert(key, [row(120_000, 180_000, 3), row(0, 60_000, 1), row(60_000, 120_000, 2)]);
      await windows.upsert(key, [row(60_000, 120_000, 20)]);
      await windows.upsert(encodeStreamKey('temps', 'other'), [closedWindowRow(0, 60_000, { stream: 'other' })]);
      expect((await windows.query(key)).items).toEqual([
        row(0, 60_000, 1),
        row(60_000, 120_000, 20),
        row(120_000, 180_000, 3),
      ]);
      expect((await windows.query(key, { from: 60_000, to: 120_000 })).items.map((w) => w.start)).toEqual([60_000]);
      expect((await windows.query(key, { from: 1 })).items.map((w) => w.start)).toEqual([60_000, 120_000]);
      expect((await windows.query(encodeStreamKey('nobody', 'here'))).items).toEqual([]);
    });

    it('writes more windows than one transaction holds and pages through them', async () => {
      const { windows } = await createStores();
      const many = Array.from({ length: 250 }, (_, i) => closedWindowRow(i * 1000, (i + 1) * 1000, { events: i }));
      await windows.upsert(key, many);
      await windows.upsert(key, many.slice(0, 120)); // replay of a prefix changes nothing
      const all = await drain((page) => windows.query(key, page), 40);
      expect(all).toEqual(many);
    });

    it("purges windows last written before the cutoff in every stream, bounded per call, and deletes one stream's windows", async () => {
      const { windows } = await createStores();
      const w = (start: number, tag = 'first') => closedWindowRow(start, start + 1000, { stream: tag });
      await windows.upsert(key, [w(0), w(1000), w(2000)]);
      await windows.upsert('temps|b', [w(500)]);
      await windows.upsert('power|b', [w(0)]);
      const cutoff = await clockBetweenWrites();
      // By write time, not window start: a rewritten old window and a newly written one from long ago are both kept.
      await windows.upsert(key, [w(1000, 'rewritten'), w(3000)]);
      await windows.upsert('temps|b', [w(100)]);
      expect(await windows.purge(cutoff, 2)).toEqual({ deleted: 2, more: true });
      expect(await windows.purge(cutoff, 3)).toEqual({ deleted: 2, more: false });
      expect((await windows.query(key)).items.map((x) => x.start)).toEqual([1000, 3000]);
      expect((await windows.query('temps|b')).items.map((x) => x.start)).toEqual([100]);
      expect((await windows.query('power|b')).items).toEqual([]);
      await windows.upsert(key, [w(2000)]);

      expect(await windows.deleteStream(key, 2)).toEqual({ deleted: 2, more: true });
      expect(await windows.deleteStream(key, 1)).toEqual({ deleted: 1, more: false }); // exactly the limit: nothing more
      expect((await windows.query(key)).items).toEqual([]);
      expect((await windows.query('temps|b')).items.map((x) => x.start)).toEqual([100]);
      expect(await windows.deleteStream('nobody|here', 10)).toEqual({ deleted: 0, more: false });
      await expect(windows.purge(-1, 10)).rejects.toThrow(/^before: expected a non-negative integer/);
      await expect(windows.deleteStream(key, 0)).rejects.toThrow(/^limit: expected a positive integer, found 0/);
    });

    it('keeps window data larger than one property', async () => {
      const { windows } = await createStores();
      const base = aggregateOf([{ value: 1, time: 5 }]);
      const data = closedWindowData(5, 6, {
        measures: { v: { ...summarize(base), aggregate: { ...base, sketch: 'z'.repeat(CHUNK_CHARS + 10) } } },
      });
      await windows.upsert(key, [{ start: 5, end: 6, data }]);
      expect((await windows.query(key)).items[0]?.data).toEqual(data);
    });

    it('rejects bad starts, limits and tokens naming the field', async () => {
      const { windows } = await createStores();
      await expect(windows.upsert(key, [closedWindowRow(-5, 0)])).rejects.toThrow(
        /^start: expected a non-negative integer/,
      );
      await expect(windows.query(key, { from: 1.5 })).rejects.toThrow(/^from: /);
      await expect(windows.query(key, { limit: 0 })).rejects.toThrow(
        /^limit: expected an integer from 1 to 1000, found 0/,
      );
      await expect(windows.query(key, { continuationToken: 'nope' })).rejects.toThrow(/^continuationToken: /);
    });

    describe('queryRange', () => {
      const win = (start: number, tag = String(start)) => closedWindowRow(start, start + 1000, { stream: tag });

      it('reads a contiguous range of streams of one pipeline in stream-key order, with from/to, across pages', async () => {
        const { windows } = await createStores();
        // Key order (base64url of the UTF-8 bytes) differs from plain order: "a/" is "YS8", before "a&" ("YSY").
        for (const stream of ['c', 'a&', 'b', 'a/', 'a'])
          await windows.upsert(encodeStreamKey('temps', stream), [
            win(2000, stream),
            win(0, stream),
            win(1000, stream),
          ]);
        for (const pipeline of ['temps0', 'temp', 'temps%', 'tempz'])
          await windows.upsert(encodeStreamKey(pipeline, 'b'), [win(0, pipeline)]);
        expect([...['c', 'a&', 'b', 'a/', 'a']].sort(compareStreamKeys)).toEqual(['a', 'a/', 'a&', 'b', 'c']);

        const all = await drain(
          (page) => windows.queryRange({ pipeline: 'temps', fromStream: 'a/', toStream: 'b', ...page }),
          2,
        );
        expect(all.map((w) => [w.key, w.stream, w.start, w.end, w.data.stream])).toEqual(
          ['a/', 'a&', 'b'].flatMap((s) =>
            [0, 1000, 2000].map((t) => [encodeStreamKey('temps', s), s, t, t + 1000, s]),
          ),
        );
        const windowed = await drain((page) =>
          windows.queryRange({ pipeline: 'temps', fromStream: 'a', toStream: 'c', from: 1000, to: 2000, ...page }),
        );
        expect(windowed.map((w) => `${w.stream}@${w.start}`)).toEqual([
          'a@1000',
          'a/@1000',
          'a&@1000',
          'b@1000',
          'c@1000',
        ]);
        expect(
          (await windows.queryRange({ pipeline: 'temps', fromStream: 'b', toStream: 'b' })).items.map((w) => w.start),
        ).toEqual([0, 1000, 2000]);
        expect((await windows.queryRange({ pipeline: 'temps', fromStream: 'bb', toStream: 'bz' })).items).toEqual([]);
        expect((await windows.queryRange({ pipeline: 'nobody', fromStream: '', toStream: '\uffff' })).items).toEqual(
          [],
        );
      });

      it('rejects reversed ranges, bad fields, limits and tokens naming the field', async () => {
        const { windows } = await createStores();
        const range = { pipeline: 'temps', fromStream: 'a', toStream: 'b' };
        await expect(windows.queryRange({ ...range, fromStream: 'b', toStream: 'a' })).rejects.toThrow(
          /^toStream: expected a stream at or after fromStream "b" in stream-key order, found "a"/,
        );
        await expect(windows.queryRange({ ...range, fromStream: 'a&', toStream: 'a/' })).rejects.toThrow(/^toStream: /);
        await expect(windows.queryRange({ ...range, pipeline: '' })).rejects.toThrow(
          /^pipeline: expected a pipeline name/,
        );
        await expect(windows.queryRange({ ...range, toStream: 7 as unknown as string })).rejects.toThrow(
          /^toStream: expected a string, found number/,
        );
        await expect(windows.queryRange({ ...range, from: -1 })).rejects.toThrow(
          /^from: expected a non-negative integer/,
        );
        await expect(windows.queryRange({ ...range, limit: 1001 })).rejects.toThrow(
          /^limit: expected an integer from 1 to 1000, found 1001/,
        );
        await expect(windows.queryRange({ ...range, continuationToken: 'nope' })).rejects.toThrow(
          /^continuationToken: /,
        );
      });

      it('returns exactly the windows of the streams between the bounds, no more, no fewer, across pages (property)', async () => {
        const { windows } = await createStores();
        // Few characters, so names collide in prefixes, and key order (base64url) often differs from plain order. A stream key is never empty.
        const name = fc.string({
          unit: fc.constantFrom(
            'a',
            'b',
            '%',
            '/',
            '\\',
            '#',
            '?',
            '&',
            '0',
            '|',
            '~',
            ' ',
            '\u0001',
            '\u007f',
            'é',
            '😀',
          ),
          minLength: 1,
          maxLength: 3,
        });
        const stream = fc.record({ name, starts: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }) });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(stream, { minLength: 1, maxLength: 7, selector: (s) => s.name }),
            fc.tuple(name, name),
            fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
            fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
            fc.integer({ min: 1, max: 6 }),
            async (streams, bounds, from, to, limit) => {
              const pipeline = `r${++run}x`; // "x": a neighbour name (r7x0) is never a later run's (r70x)
              for (const s of streams)
                await windows.upsert(
                  encodeStreamKey(pipeline, s.name),
                  s.starts.map((i) => win(i * 1000, JSON.stringify([s.name, i]))),
                );
              // Neighbour pipelines sharing the name's prefix must never leak into the range.
              for (const other of [`${pipeline}0`, `${pipeline}%`, `${pipeline}~`])
                await windows.upsert(encodeStreamKey(other, streams[0]!.name), [win(0, other)]);
              const [fromStream, toStream] = [...bounds].sort(compareStreamKeys) as [string, string];
              const range = {
                pipeline,
                fromStream,
                toStream,
                ...(from !== undefined ? { from: from * 1000 } : {}),
                ...(to !== undefined ? { to: to * 1000 } : {}),
              };
              const expected = [...streams]
                .sort((x, y) => compareStreamKeys(x.name, y.name))
                .filter((s) => compareStreamKeys(fromStream, s.name) <= 0 && compareStreamKeys(s.name, toStream) <= 0)
                .flatMap((s) =>
                  [...s.starts]
                    .sort((x, y) => x - y)
                    .filter((i) => (from === undefined || i >= from) && (to === undefined || i < to))
                    .map((i) => ({
                      key: encodeStreamKey(pipeline, s.name),
                      stream: s.name,
                      ...win(i * 1000, JSON.stringify([s.name, i])),
                    })),
                );
              expect(await drain((page) => windows.queryRange({ ...range, ...page }), limit)).toEqual(expected);
            },
          ),
          { numRuns: 40 },
        );
      });
    });
  });

  describe(`${label}: dead letters`, () => {
    it('adds idempotently per (partition, sequenceNumber, pipeline)', async () => {
      const { deadLetters } = await createStores();
      await deadLetters.add([
        deadLetter(),
        deadLetter({ pipeline: 'temps' }),
        deadLetter({ sequenceNumber: 2 }),
        deadLetter({ partition: '1' }),
      ]);
      await deadLetters.add([deadLetter(), deadLetter({ pipeline: 'temps', detail: 'again' })]);
      const all = await drain((page) => deadLetters.query(page));
      expect(all).toHaveLength(4);
      expect(all.find((r) => r.pipeline === 'temps')?.detail).toBe('again');
      expect(all.find((r) => r.pipeline === undefined && r.partition === '0' && r.sequenceNumber === 1)).toEqual(
        deadLetter(),
      );
    });

    it('keeps the stream key when given, and rejects a non-string one naming the field', async () => {
      const { deadLetters } = await createStores();
      const withStream = deadLetter({ reason: 'schema', pipeline: 'temps', stream: 'room-1', sequenceNumber: 7 });
      await deadLetters.add([withStream, deadLetter({ sequenceNumber: 8 })]);
      const all = await drain((page) => deadLetters.query(page));
      expect(all.find((r) => r.sequenceNumber === 7)).toEqual(withStream);
      expect(all.find((r) => r.sequenceNumber === 8)).not.toHaveProperty('stream');
      await expect(deadLetters.add([deadLetter({ stream: 5 as unknown as string })])).rejects.toThrow(
        /^stream: expected a string or nothing, found number/,
      );
    });

    it('filters by since (across days) and reason, and pages', async () => {
      const { deadLetters } = await createStores();
      await deadLetters.add([
        deadLetter({ sequenceNumber: 1, enqueuedTime: '2024-04-30T23:59:00Z' }),
        deadLetter({ sequenceNumber: 2, enqueuedTime: '2024-05-01T08:00:00Z', reason: 'late' }),
        deadLetter({ sequenceNumber: 3, enqueuedTime: '2024-05-01T12:00:00Z' }),
        deadLetter({
          sequenceNumber: 4,
          enqueuedTime: '2024-05-02T00:30:00' /* Event Hubs style: no zone, UTC */,
          reason: 'late',
        }),
      ]);
      const seqs = (records: DeadLetterRecord[]) => records.map((r) => r.sequenceNumber);
      expect(seqs(await drain((page) => deadLetters.query({ ...page, since: '2024-05-01T09:00:00Z' })))).toEqual([
        3, 4,
      ]);
      expect(
        seqs(await drain((page) => deadLetters.query({ ...page, since: '2024-04-30T23:00:00Z', reason: 'late' }))),
      ).toEqual([2, 4]);
      expect(seqs(await drain((page) => deadLetters.query(page), 1))).toEqual([1, 2, 3, 4]);
      const [fourth] = await drain((page) => deadLetters.query({ ...page, since: '2024-05-02T00:00:00Z' }));
      expect(fourth?.enqueuedTime).toBe('2024-05-02T00:30:00.000Z');
      await expect(deadLetters.query({ since: 'last week' })).rejects.toThrow(/^since: expected an ISO 8601 time/);
    });

    it('lists across hours and Event Hubs partitions by hour, then partition, then sequence, with since, reason and pages', async () => {
      const { deadLetters } = await createStores();
      const at = (partition: string, sequenceNumber: number, enqueuedTime: string, reason = 'schema') =>
        deadLetter({ partition, sequenceNumber, enqueuedTime, reason });
      // Written out of order: each (hour, partition) is its own table partition.
      await deadLetters.add([
        at('1', 20, '2024-05-01T11:00:00Z'),
        at('0', 12, '2024-05-01T10:30:00Z', 'late'),
        at('1', 11, '2024-05-01T10:59:00Z'),
        at('10', 5, '2024-05-01T10:10:00Z', 'late'),
        at('0', 11, '2024-05-01T10:05:00Z'),
        at('0', 13, '2024-05-01T11:59:59.999Z', 'late'),
        at('2', 1, '2024-05-02T00:00:00Z'),
      ]);
      const ids = (records: DeadLetterRecord[]) => records.map((r) => `${r.partition}:${r.sequenceNumber}`);
      const everything = ['0:11', '0:12', '1:11', '10:5', '0:13', '1:20', '2:1'];
      for (const limit of [1, 2, 3, 100])
        expect(ids(await drain((page) => deadLetters.query(page), limit))).toEqual(everything);
      for (const limit of [1, 2, 100]) {
        expect(
          ids(await drain((page) => deadLetters.query({ ...page, since: '2024-05-01T10:20:00Z' }), limit)),
        ).toEqual(['0:12', '1:11', '0:13', '1:20', '2:1']);
        expect(
          ids(
            await drain((page) => deadLetters.query({ ...page, since: '2024-05-01T10:06:00Z', reason: 'late' }), limit),
          ),
        ).toEqual(['0:12', '10:5', '0:13']);
      }
      expect(ids(await drain((page) => deadLetters.query({ ...page, since: '2024-05-03T00:00:00Z' })))).toEqual([]);
      await expect(deadLetters.query({ since: '2024-05-01T10:20:00Z', continuationToken: 'x' })).rejects.toThrow(
        /^continuationToken: /,
      );
    });

    it('purges dead letters enqueued before the cutoff (exactly, within an hour too), bounded per call', async () => {
      const { deadLetters } = await createStores();
      await deadLetters.add([
        deadLetter({ sequenceNumber: 1, enqueuedTime: '2024-04-30T23:00:00Z' }),
        deadLetter({ sequenceNumber: 2, enqueuedTime: '2024-05-01T10:00:00Z', partition: '3' }),
        deadLetter({ sequenceNumber: 3, enqueuedTime: '2024-05-01T10:29:59.999Z' }),
        deadLetter({ sequenceNumber: 4, enqueuedTime: '2024-05-01T10:30:00Z' }),
        deadLetter({ sequenceNumber: 5, enqueuedTime: '2024-05-02T00:00:00Z' }),
      ]);
      expect(await deadLetters.purge('2024-05-01T10:30:00Z', 2)).toEqual({ deleted: 2, more: true });
      expect(await deadLetters.purge('2024-05-01T10:30:00Z', 2)).toEqual({ deleted: 1, more: false });
      expect((await drain((page) => deadLetters.query(page))).map((r) => r.sequenceNumber)).toEqual([4, 5]);
      expect(await deadLetters.purge('2024-05-01T10:30:00Z', 2)).toEqual({ deleted: 0, more: false });
      await expect(deadLetters.purge('yesterday', 1)).rejects.toThrow(/^before: expected an ISO 8601 time/);
    });

    it("deletes one stream's dead letters and no other's", async () => {
      const { deadLetters } = await createStores();
      await deadLetters.add([
        deadLetter({ sequenceNumber: 1, pipeline: 'temps', stream: 'a/1' }),
        deadLetter({
          sequenceNumber: 2,
          pipeline: 'temps',
          stream: 'a/1',
          enqueuedTime: '2024-05-03T10:00:00Z',
          partition: '2',
        }),
        deadLetter({ sequenceNumber: 3, pipeline: 'temps', stream: 'a/2' }),
        deadLetter({ sequenceNumber: 4, pipeline: 'power', stream: 'a/1' }),
        deadLetter({ sequenceNumber: 5 }),
      ]);
      expect(await deadLetters.deleteStream('temps', 'a/1', 1)).toEqual({ deleted: 1, more: true });
      expect(await deadLetters.deleteStream('temps', 'a/1', 10)).toEqual({ deleted: 1, more: false });
      expect((await drain((page) => deadLetters.query(page))).map((r) => r.sequenceNumber)).toEqual([3, 4, 5]);
    });

    it('keeps raw bodies up to the limit and flags longer ones as truncated', async () => {
      const { deadLetters } = await createStores();
      const long = 'r'.repeat(CHUNK_CHARS * 3);
      const tooLong = 'q'.repeat(DEAD_LETTER_RAW_LIMIT + 5);
      await deadLetters.add([
        deadLetter({ sequenceNumber: 1, raw: long }),
        deadLetter({ sequenceNumber: 2, raw: tooLong }),
      ]);
      const [a, b] = (await deadLetters.query()).items;
      expect(a?.raw).toBe(long);
      expect(a?.rawTruncated).toBeUndefined();
      expect(b?.raw).toBe(tooLong.slice(0, DEAD_LETTER_RAW_LIMIT));
      expect(b?.rawTruncated).toBe(true);
    });
  });

  describe(`${label}: stream catalog`, () => {
    const entry = (pipeline: string, stream: string, events = 10) => ({
      pipeline,
      stream,
      lastSeen: '2024-05-01T10:00:00Z',
      events,
      eventsPerSec: events / 60,
    });

    it('touches (last totals win) and lists by pipeline and stream prefix', async () => {
      const { streams } = await createStores();
      await streams.touch([
        entry('temps', 'room/1'),
        entry('temps', 'room/2'),
        entry('temps', 'hall'),
        entry('power', 'room/1'),
      ]);
      await streams.touch([{ ...entry('temps', 'room/1', 25), lastSeen: '2024-05-01T10:05:00+00:00' }]);
      const all = await drain((page) => streams.list(page), 3);
      expect(all.map((e) => `${e.pipeline}:${e.stream}`)).toEqual([
        'power:room/1',
        'temps:hall',
        'temps:room/1',
        'temps:room/2',
      ]);
      expect(all.find((e) => e.pipeline === 'temps' && e.stream === 'room/1')).toEqual({
        pipeline: 'temps',
        stream: 'room/1',
        lastSeen: '2024-05-01T10:05:00.000Z',
        events: 25,
        eventsPerSec: 25 / 60,
      });
      expect((await streams.list({ pipeline: 'temps' })).items.map((e) => e.stream)).toEqual([
        'hall',
        'room/1',
        'room/2',
      ]);
      expect((await streams.list({ pipeline: 'temps', prefix: 'room/' })).items.map((e) => e.stream)).toEqual([
        'room/1',
        'room/2',
      ]);
      expect((await streams.list({ prefix: 'room/1' })).items.map((e) => e.pipeline)).toEqual(['power', 'temps']);
      expect((await streams.list({ prefix: 'roo' })).items).toHaveLength(3);
      expect((await streams.list({ pipeline: 'nope' })).items).toEqual([]);
    });

    it("removes one stream's row", async () => {
      const { streams } = await createStores();
      await streams.touch([entry('temps', 'room/1'), entry('temps', 'room/2'), entry('power', 'room/1')]);
      expect(await streams.remove('temps', 'room/1')).toBe(true);
      expect(await streams.remove('temps', 'room/1')).toBe(false);
      expect((await drain((page) => streams.list(page))).map((e) => `${e.pipeline}:${e.stream}`)).toEqual([
        'power:room/1',
        'temps:room/2',
      ]);
    });

    it('rejects bad entries naming the field', async () => {
      const { streams } = await createStores();
      await expect(streams.touch([{ ...entry('t', 's'), events: -1 }])).rejects.toThrow(
        /^events: expected a non-negative number/,
      );
      await expect(streams.touch([entry('', 's')])).rejects.toThrow(/^pipeline: expected a non-empty string/);
    });
  });

  describe(`${label}: idle index (StreamActivity)`, () => {
    const row = (pipeline: string, stream: string, flushDue: number | null, lastActivity = 1_000): StreamActivity => ({
      pipeline,
      stream,
      lastActivity,
      openWindows: flushDue === null ? 0 : 2,
      idleTimeoutMs: 60_000,
      flushDue,
    });
    const LATER = Date.UTC(2100, 0, 1);
    const sorted = (rows: StreamActivity[]) =>
      [...rows].sort((a, b) => (`${a.pipeline}|${a.stream}` < `${b.pipeline}|${b.stream}` ? -1 : 1));

    it('returns the rows due at or before now, never the ones due later or never, each as recorded (the last record wins)', async () => {
      const { activity } = await createStores();
      await activity.record(row('temps', 'room/1#a', 61_000));
      await activity.record(row('temps', 'b|c?%', 70_000));
      await activity.record(row('power', 'room/1#a', 90_000));
      await activity.record(row('power', 'quiet', null));
      await activity.record(row('temps', 'b|c?%', 65_000, 5_000)); // rewritten: due earlier now
      expect(await activity.due(60_999, 10)).toEqual([]);
      expect(sorted(await activity.due(65_000, 10))).toEqual([
        row('temps', 'b|c?%', 65_000, 5_000),
        row('temps', 'room/1#a', 61_000),
      ]);
      expect(sorted(await activity.due(LATER, 10)).map((r) => `${r.pipeline}|${r.stream}`)).toEqual([
        'power|room/1#a',
        'temps|b|c?%',
        'temps|room/1#a',
      ]);
      await activity.record(row('temps', 'room/1#a', null)); // no longer due
      expect((await activity.due(LATER, 10)).map((r) => r.stream).sort()).toEqual(['b|c?%', 'room/1#a']);
      expect((await activity.due(LATER, 10)).find((r) => r.pipeline === 'temps')).toEqual(
        row('temps', 'b|c?%', 65_000, 5_000),
      );
    });

    it('returns at most `limit` due rows', async () => {
      const { activity } = await createStores();
      for (let i = 0; i < 5; i++) await activity.record(row('temps', `s${i}`, 1_000 + i));
      expect(await activity.due(10_000, 3)).toHaveLength(3);
      expect(await activity.due(10_000, 5)).toHaveLength(5);
    });

    it("removes one stream's row, whatever its name, and no other's; removing a missing row is no error", async () => {
      const { activity } = await createStores();
      for (const stream of ['a/b#c?', 'a', 'a/b#c?d']) await activity.record(row('temps', stream, 1_000));
      await activity.record(row('power', 'a/b#c?', 1_000));
      await activity.remove('temps', 'a/b#c?');
      await activity.remove('temps', 'a/b#c?');
      await activity.remove('nobody', 'here');
      expect(sorted(await activity.due(2_000, 10)).map((r) => `${r.pipeline}|${r.stream}`)).toEqual([
        'power|a/b#c?',
        'temps|a',
        'temps|a/b#c?d',
      ]);
    });
  });

  describe(`${label}: ingest metrics`, () => {
    const batch = (at: string, partition: string, eventsIn: number, latencySketch?: string) => ({
      at,
      partition,
      eventsIn,
      aggregated: eventsIn - 1,
      filtered: 0,
      deadLettered: 1,
      entityOperations: 2,
      processingMs: 5,
      ...(latencySketch ? { latencySketch } : {}),
    });

    it('accumulates rows per (minute, partition) and returns recent ones', async () => {
      const { ingestMetrics } = await createStores();
      await ingestMetrics.record(batch('2024-05-01T10:00:10Z', '0', 100, 'S1'));
      await ingestMetrics.record(batch('2024-05-01T10:00:50Z', '0', 50, 'S2'));
      await ingestMetrics.record(batch('2024-05-01T10:00:20Z', '1', 7));
      await ingestMetrics.record(batch('2024-05-01T10:01:00Z', '0', 1));
      await ingestMetrics.record(batch('2024-05-01T09:58:00Z', '0', 1000));
      const rows = await ingestMetrics.recent(Date.parse('2024-05-01T10:00:30Z'));
      expect(rows.map((r) => [r.minute, r.partition, r.eventsIn, r.batches])).toEqual([
        ['2024-05-01T10:00:00.000Z', '0', 150, 2],
        ['2024-05-01T10:00:00.000Z', '1', 7, 1],
        ['2024-05-01T10:01:00.000Z', '0', 1, 1],
      ]);
      expect(rows[0]).toMatchObject({
        aggregated: 148,
        deadLettered: 2,
        entityOperations: 4,
        processingMs: 10,
        latencySketches: ['S1', 'S2'],
        sketchesDropped: 0,
      });
      expect(rows[1]?.latencySketches).toEqual([]);
    });

    it('sums the per-pipeline and per-reason breakdown per key, and names a bad count', async () => {
      const { ingestMetrics } = await createStores();
      await ingestMetrics.record({
        ...batch('2024-05-01T10:00:10Z', '0', 10),
        breakdown: { 'pipeline:a:aggregated': 9, 'reason:late': 1 },
      });
      await ingestMetrics.record({
        ...batch('2024-05-01T10:00:40Z', '0', 5),
        breakdown: { 'pipeline:a:aggregated': 4, 'pipeline:b:filtered': 1 },
      });
      await ingestMetrics.record(batch('2024-05-01T10:00:50Z', '1', 5));
      const rows = await ingestMetrics.recent(Date.parse('2024-05-01T10:00:00Z'));
      expect(rows.map((r) => [r.partition, r.breakdown])).toEqual([
        ['0', { 'pipeline:a:aggregated': 13, 'reason:late': 1, 'pipeline:b:filtered': 1 }],
        ['1', {}],
      ]);
      await expect(
        ingestMetrics.record({ ...batch('2024-05-01T10:00:10Z', '0', 1), breakdown: { 'reason:late': -1 } }),
      ).rejects.toThrow('breakdown.reason:late: expected a non-negative number, found -1');
    });

    it('sums the retried deliveries of failed invocations apart from eventsIn, and does not count them as batches', async () => {
      const { ingestMetrics } = await createStores();
      await ingestMetrics.record({
        ...batch('2024-05-01T10:00:10Z', '0', 0),
        aggregated: 0,
        deadLettered: 0,
        retried: 40,
      });
      await ingestMetrics.record(batch('2024-05-01T10:00:20Z', '0', 40));
      const rows = await ingestMetrics.recent(0);
      expect(rows.map((r) => [r.eventsIn, r.retried, r.batches])).toEqual([[40, 40, 1]]);
      await expect(ingestMetrics.record({ ...batch('2024-05-01T10:00:30Z', '0', 1), retried: -1 })).rejects.toThrow(
        /retried: expected a non-negative number or nothing, found -1/,
      );
    });

    it("sums the entities' window revisions (total and per-pipeline breakdown) without counting a batch", async () => {
      const { ingestMetrics } = await createStores();
      const entityRow = (at: string, pipeline: string, revisions: number) => ({
        ...batch(at, 'entities', 0),
        aggregated: 0,
        deadLettered: 0,
        entityOperations: 0,
        processingMs: 0,
        revisions,
        breakdown: { [`pipeline:${pipeline}:revisions`]: revisions },
      });
      await ingestMetrics.record(entityRow('2024-05-01T10:00:10Z', 'a', 2));
      await ingestMetrics.record(entityRow('2024-05-01T10:00:40Z', 'b', 1));
      await ingestMetrics.record(entityRow('2024-05-01T10:00:50Z', 'a', 1));
      const rows = await ingestMetrics.recent(0);
      expect(rows.map((r) => [r.partition, r.revisions, r.batches, r.breakdown])).toEqual([
        ['entities', 4, 0, { 'pipeline:a:revisions': 3, 'pipeline:b:revisions': 1 }],
      ]);
      await expect(ingestMetrics.record({ ...batch('2024-05-01T10:00:30Z', '0', 1), revisions: -1 })).rejects.toThrow(
        /revisions: expected a non-negative number or nothing, found -1/,
      );
    });

    it("purges the rows of minutes before the cutoff's minute, bounded per call", async () => {
      const { ingestMetrics } = await createStores();
      for (const [at, partition] of [
        ['2024-05-01T09:58:10Z', '0'],
        ['2024-05-01T09:59:59Z', '1'],
        ['2024-05-01T10:00:00Z', '0'],
        ['2024-05-01T10:00:30Z', '1'],
        ['2024-05-01T10:01:00Z', '0'],
      ] as const) {
        await ingestMetrics.record(batch(at, partition, 5));
      }
      const cutoff = Date.parse('2024-05-01T10:00:40Z');
      expect(await ingestMetrics.purge(cutoff, 1)).toEqual({ deleted: 1, more: true });
      expect(await ingestMetrics.purge(cutoff, 10)).toEqual({ deleted: 1, more: false });
      expect((await ingestMetrics.recent(0)).map((r) => `${r.minute.slice(11, 16)}/${r.partition}`)).toEqual([
        '10:00/0',
        '10:00/1',
        '10:01/0',
      ]);
    });

    it('merges sketches with an injected merger', async () => {
      const { ingestMetrics } = await createStores({ mergeLatencySketches: (a, b) => `${a}+${b}` });
      for (const s of ['A', 'B', 'C']) await ingestMetrics.record(batch('2024-05-01T10:00:00Z', '3', 1, s));
      expect((await ingestMetrics.recent(0))[0]?.latencySketches).toEqual(['A+B+C']);
    });

    it('loses no counts when batches of one partition are recorded concurrently', async () => {
      const { ingestMetrics } = await createStores();
      await Promise.all(Array.from({ length: 6 }, () => ingestMetrics.record(batch('2024-05-01T10:00:00Z', '0', 10))));
      const [row] = await ingestMetrics.recent(0);
      expect([row?.eventsIn, row?.batches]).toEqual([60, 6]);
    });
  });
}
