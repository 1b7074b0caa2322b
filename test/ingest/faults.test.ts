import { RestError } from '@azure/data-tables';

import { mergeEncodedSketches } from '../../src/core';
import { type IngestDeps, QUARANTINE_RAW_CHARS } from '../../src/functions/ingest/ingest';
import { flushIdleStreams } from '../../src/functions/stream/flushIdleStreams';
import { streamEntityKey, type StreamSignal } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler, MAX_UNSAVED_WINDOWS } from '../../src/functions/stream/streamEntity';
import { createMemoryStores, type DeadLetterRecord, type Stores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, ingestProcess, invocationContext, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
/** Entity keys as ingest builds them (whatever the key codec). */
const A = streamEntityKey('default', 'a');
const B = streamEntityKey('default', 'b');
const C = streamEntityKey('default', 'c');
const BAD = streamEntityKey('default', 'bad');
const QS = streamEntityKey('q', 's');
const NOW = T0 + 5 * 60_000;

const refused = () =>
  Object.assign(new RestError('connect ECONNREFUSED 127.0.0.1:10002', { code: 'ECONNREFUSED' }), {
    code: 'ECONNREFUSED',
  });
const tooLarge = () =>
  new RestError('The entity is larger than the maximum allowed size.', { statusCode: 400, code: 'EntityTooLarge' });

interface Harness {
  stores: Stores;
  activity: MemoryStreamActivityStore;
  driver: EntityDriver;
  deps: IngestDeps;
  clock: { now: number };
  /** Per attempt of a signal: the entity key and operation; `fail` decides whether that attempt throws (and what). */
  attempts: { key: string; op: StreamSignal['kind'] }[];
  fail: { signal?: (key: string, attempt: number) => Error | undefined };
  sleeps: number[];
}

function harness(): Harness {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const activity = new MemoryStreamActivityStore();
  const clock = { now: NOW };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity }),
      () => clock.now,
    ),
  );
  const attempts: Harness['attempts'] = [];
  const fail: Harness['fail'] = {};
  const sleeps: number[] = [];
  const deps: IngestDeps = {
    ...ingestProcess(stores),
    now: () => clock.now,
    retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 40, sleep: async (ms) => void sleeps.push(ms) },
    signal: async (_context, entity, op) => {
      attempts.push({ key: entity.key, op: op.kind });
      const error = fail.signal?.(entity.key, attempts.filter((a) => a.key === entity.key && a.op === op.kind).length);
      if (error) throw error;
      await driver.run(entity.key, op.kind, op.input);
    },
  };
  return { stores, activity, driver, deps, clock, attempts, fail, sleeps };
}

const ev = (stream: string, second: number, value: number) =>
  JSON.stringify({ stream, time: new Date(T0 + second * 1000).toISOString(), value });
const bytes = (bodies: string[]) => bodies.map((b) => Buffer.from(b, 'utf8'));

/** Count and sum of each stream, as the entity reads them (committed + pending). */
async function totals(driver: EntityDriver, keys: string[]) {
  const out: Record<string, { count: number | undefined; sum: number | undefined }> = {};
  for (const key of keys) {
    const v = await view(driver, key);
    out[key] = { count: v.totals['value']?.count, sum: v.totals['value']?.sum };
  }
  return out;
}

async function metricRows(h: Harness) {
  await h.deps.metrics.flush();
  const rows = await h.stores.ingestMetrics.recent(T0);
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    eventsIn: sum((r) => r.eventsIn),
    aggregated: sum((r) => r.aggregated),
    filtered: sum((r) => r.filtered),
    deadLettered: sum((r) => r.deadLettered),
    retried: sum((r) => r.retried),
    batches: sum((r) => r.batches),
  };
}

describe('ingest under storage faults (memory stores, entity through the SDK Entity class)', () => {
  it('a dead-letter write failing transiently is retried in process: nothing lost, counts exact', async () => {
    const h = harness();
    const add = h.stores.deadLetters.add.bind(h.stores.deadLetters);
    let calls = 0;
    h.stores.deadLetters.add = async (records) => {
      if (++calls <= 2) throw refused();
      await add(records);
    };
    const m = await deliver(h.deps, '0', 0, bytes([ev('a', 1, 1), 'not json', ev('b', 2, 2), ev('a', 3, 3)]));
    expect(m).toMatchObject({ eventsIn: 4, aggregated: 3, deadLettered: 1 });
    expect(calls).toBe(3);
    expect(h.sleeps).toEqual([10, 20]);
    expect((await h.stores.deadLetters.query()).items.map((d) => [d.raw, d.reason, d.sequenceNumber])).toEqual([
      ['not json', 'invalid-json', 1],
    ]);
    expect(await totals(h.driver, [A, B])).toEqual({ [A]: { count: 2, sum: 4 }, [B]: { count: 1, sum: 2 } });
    expect(await metricRows(h)).toMatchObject({ eventsIn: 4, aggregated: 3, deadLettered: 1, retried: 0 });
  });

  it("a signal failing transiently is retried in process (durable-functions' 503 shape): exact", async () => {
    const h = harness();
    h.fail.signal = (key, attempt) =>
      key === B && attempt <= 2
        ? new Error('The operation failed with an unexpected status code: 503. Details: ""')
        : undefined;
    await deliver(h.deps, '0', 0, bytes([ev('a', 1, 1), ev('b', 2, 2)]));
    await deliver(h.deps, '0', 2, bytes([ev('a', 3, 3), ev('b', 4, 4)]));
    expect(h.attempts.filter((a) => a.key === B)).toHaveLength(4);
    expect(await totals(h.driver, [A, B])).toEqual({ [A]: { count: 2, sum: 4 }, [B]: { count: 2, sum: 6 } });
  });

  it('a batch whose signals keep failing fails its invocation; nothing process-local advances; the redelivery counts each event once and the attempt shows as retried', async () => {
    const h = harness();
    await deliver(h.deps, '0', 0, bytes([ev('a', 1, 1), ev('b', 2, 2), ev('c', 3, 3)]));
    // Storage goes away for stream b's entity: the merge for a goes through, b's fails every in-process retry.
    h.fail.signal = (key) => (key === B ? refused() : undefined);
    const batch = bytes([ev('a', 4, 10), ev('b', 5, 20), 'not json']);
    await expect(deliver(h.deps, '0', 3, batch)).rejects.toThrow(
      /1 entity operation\(s\) kept failing: connect ECONNREFUSED/,
    );
    expect(h.attempts.filter((a) => a.key === B && a.op === 'merge')).toHaveLength(1 + 3);
    // c was absent from the failed batch; its commit of batch 0-2 was sent. The failed batch was not remembered: the
    // retry below sends c's commit again (idempotent) and the batch after it commits batch 3-5, not an older one.
    h.fail.signal = undefined;
    const m = await deliver(h.deps, '0', 3, batch);
    expect(m).toMatchObject({ eventsIn: 3, aggregated: 2, deadLettered: 1 });
    await deliver(h.deps, '0', 6, bytes([ev('c', 7, 7)]));
    expect(await totals(h.driver, [A, B, C])).toEqual({
      [A]: { count: 2, sum: 11 },
      [B]: { count: 2, sum: 22 },
      [C]: { count: 2, sum: 10 },
    });
    for (const key of [A, B]) {
      // (Each partition's watermark and lastMergeAt are in the view too: not this test's subject.)
      expect(
        (await view(h.driver, key)).partitions.map(({ partition, committed, pending }) => ({
          partition,
          committed,
          pending,
        })),
      ).toEqual([{ partition: '0', committed: 5, pending: null }]);
    }
    expect((await h.stores.deadLetters.query()).items.map((d) => [d.raw, d.sequenceNumber])).toEqual([['not json', 5]]);
    // Metrics: every accepted event once in eventsIn = aggregated + filtered + deadLettered, the failed attempt as retried.
    const rows = await metricRows(h);
    expect(rows).toEqual({ eventsIn: 7, aggregated: 6, filtered: 0, deadLettered: 1, retried: 3, batches: 3 });
  });

  it("a permanent 4xx for one stream dead-letters that stream's partial as storage; the other streams proceed; metrics add up", async () => {
    const h = harness();
    h.fail.signal = (key) =>
      key === BAD
        ? new Error('The operation failed with an unexpected status code: 400. Details: "invalid entity key"')
        : undefined;
    const m = await deliver(h.deps, '2', 10, bytes([ev('a', 1, 1), ev('bad', 2, 5), ev('bad', 3, 6), ev('b', 4, 2)]));
    expect(h.attempts.filter((a) => a.key === BAD)).toHaveLength(1);
    expect(m).toMatchObject({ eventsIn: 4, aggregated: 2, deadLettered: 2, byReason: { storage: 2 } });
    expect(m.byPipeline['default']).toMatchObject({
      eventsIn: 4,
      aggregated: 2,
      deadLettered: 2,
      byReason: { storage: 2 },
    });
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    const [dead, ...more] = (await h.stores.deadLetters.query()).items;
    expect(more).toEqual([]);
    expect(dead).toMatchObject({
      reason: 'storage',
      pipeline: 'default',
      stream: 'bad',
      partition: '2',
      sequenceNumber: 12,
    });
    expect(dead?.detail).toMatch(/partial of 2 aggregated event\(s\) \(sequences 11-12\).*status code: 400/);
    expect(JSON.parse(dead?.raw ?? '{}')).toMatchObject({
      pipeline: 'default',
      stream: 'bad',
      events: 2,
      totals: { value: { count: 2, sum: 11 } },
    });
    expect(await totals(h.driver, [A, B])).toEqual({ [A]: { count: 1, sum: 1 }, [B]: { count: 1, sum: 2 } });
    expect(await metricRows(h)).toMatchObject({ eventsIn: 4, aggregated: 2, deadLettered: 2, retried: 0 });
  });

  it('a dead letter the store rejects permanently is quarantined with its raw body cut and the original size noted; the others are kept whole', async () => {
    const h = harness();
    const add = h.stores.deadLetters.add.bind(h.stores.deadLetters);
    h.stores.deadLetters.add = async (records: DeadLetterRecord[]) => {
      if (records.some((r) => r.raw.length > 100_000)) throw tooLarge();
      await add(records);
    };
    const huge = `{"stream":"a","value":"${'x'.repeat(150_000)}"`;
    const m = await deliver(h.deps, '0', 0, bytes([ev('a', 1, 1), huge, 'oops']));
    expect(m).toMatchObject({ eventsIn: 3, aggregated: 1, deadLettered: 2 });
    const dead = (await h.stores.deadLetters.query()).items;
    expect(dead.map((d) => [d.sequenceNumber, d.raw.length])).toEqual([
      [1, QUARANTINE_RAW_CHARS],
      [2, 4],
    ]);
    expect(dead[0]?.raw).toBe(huge.slice(0, QUARANTINE_RAW_CHARS));
    expect(dead[0]?.detail).toMatch(
      new RegExp(
        `quarantined: the dead-letter store rejected the full record \\(The entity is larger.*\\); raw kept to its first ${QUARANTINE_RAW_CHARS} of ${huge.length} characters \\(${huge.length} UTF-8 bytes\\)`,
      ),
    );
  });

  it('an empty body, a body of arrays nested 5,000 deep, invalid UTF-8 and 1e309 are dead-lettered as received; batch-mates are counted', async () => {
    const h = harness();
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const big = '{"stream":"a","value":1e309}';
    const bodies = [
      Buffer.from(ev('a', 1, 1)),
      Buffer.alloc(0),
      Buffer.from(deep),
      Buffer.from([0x7b, 0xff, 0x7d]),
      Buffer.from(big),
      Buffer.from(ev('a', 2, 2)),
    ];
    const m = await deliver(h.deps, '0', 0, bodies);
    expect(m).toMatchObject({ bodies: 6, eventsIn: 6, aggregated: 2, deadLettered: 4 });
    const dead = (await h.stores.deadLetters.query()).items.map((d) => [
      d.sequenceNumber,
      d.reason,
      d.raw === deep ? 'deep' : d.raw,
      d.detail,
    ]);
    expect(dead).toEqual([
      [1, 'invalid-json', '', 'expected a JSON object, found an empty body'],
      // JSON.parse reads it (JSON, not an event); the record keeps the text, never re-serialized (which threw a RangeError).
      [2, 'schema', 'deep', expect.any(String)],
      [3, 'invalid-json', '{\ufffd}', 'expected a JSON object, found 3 bytes that are not valid UTF-8'],
      [4, 'schema', big, expect.stringMatching(/measure value "value": expected a finite number, found/)],
    ]);
    expect(await totals(h.driver, [A])).toEqual({ [A]: { count: 2, sum: 3 } });
  });
});

describe('stream entity: closed windows that fail to save', () => {
  /** A pipeline with 1-minute windows, no lateness and a 1-minute idle timeout. */
  async function quiet(h: Harness) {
    await h.stores.pipelines.put('q', { name: 'q', window: { type: 'tumbling', size: 'PT1M' }, idleTimeout: 'PT1M' });
  }
  const timer = (h: Harness, now: number) =>
    flushIdleStreams(invocationContext({}), {
      activity: h.activity,
      now: () => now,
      signal: async (_c, entity, op) => void (await h.driver.run(entity.key, op.kind, op.input)),
    });

  it('are kept, made due in the idle index, and saved by the flush timer once storage is back, though the stream went quiet', async () => {
    const h = harness();
    await quiet(h);
    const upsert = h.stores.windows.upsert.bind(h.stores.windows);
    let down = true;
    h.stores.windows.upsert = async (key, windows) => {
      if (down) throw refused();
      await upsert(key, windows);
    };
    // Minute 0 then minute 2: minute 0 closes on the next batch's merge, whose save fails.
    await deliver(h.deps, '0', 0, bytes([ev('s', 1, 1), ev('s', 2, 2)]));
    await deliver(h.deps, '0', 2, bytes([ev('s', 130, 4)]));
    await deliver(h.deps, '0', 3, bytes([ev('s', 131, 5)]));
    let v = await view(h.driver, QS);
    expect(v.metrics).toMatchObject({ unsavedWindows: 1, unsavedDropped: 0 });
    // Due at once (the last merge), not an idle timeout later.
    expect(h.activity.rows.get(streamEntityKey('q', 's'))?.flushDue).toBe(h.clock.now);
    expect(await timer(h, h.clock.now + 1000)).toBe(1);
    expect((await view(h.driver, QS)).metrics.unsavedWindows).toBe(1);
    down = false;
    expect(await timer(h, h.clock.now + 2000)).toBe(1);
    v = await view(h.driver, QS);
    expect(v.metrics).toMatchObject({ unsavedWindows: 0, unsavedDropped: 0 });
    expect((await h.stores.windows.query(QS)).items.map((w) => (w.data as { events: number }).events)).toEqual([2]);
    // Back to the idle timeout once saved.
    expect(h.activity.rows.get(streamEntityKey('q', 's'))?.flushDue).toBe(h.clock.now + 60_000);
  });

  it(`keep at most ${MAX_UNSAVED_WINDOWS}: the oldest beyond are dead-lettered as storage with their data and counted`, async () => {
    const h = harness();
    await quiet(h);
    h.stores.windows.upsert = async () => {
      throw refused();
    };
    // One event per minute for MAX + 8 minutes, one batch each: the windows close a few batches behind (a window waits
    // for its partition's pending batch to commit, docs/explanation/event-time.md), so more than MAX close. The events
    // span more than MAX_FUTURE_SKEW's default hour past the harness clock: allow a day.
    h.deps.maxFutureSkewMs = 86_400_000;
    const n = MAX_UNSAVED_WINDOWS + 8;
    for (let i = 0; i <= n; i++) await deliver(h.deps, '0', i, bytes([ev('s', 60 * i + 1, i)]));
    const v = await view(h.driver, QS);
    expect(v.metrics.unsavedWindows).toBe(MAX_UNSAVED_WINDOWS);
    expect(v.metrics.unsavedDropped).toBeGreaterThanOrEqual(1);
    const dead = (await h.stores.deadLetters.query()).items;
    // The oldest windows went first, one record each: minutes 0, 1, ...
    expect(dead.map((d) => [d.reason, d.pipeline, d.stream, d.partition, d.sequenceNumber])).toEqual(
      Array.from({ length: v.metrics.unsavedDropped }, (_, i) => ['storage', 'q', 's', 'window', T0 + i * 60_000]),
    );
    expect(JSON.parse(dead[0]?.raw ?? '{}')).toMatchObject({ start: T0, events: 1, measures: { value: { sum: 0 } } });
    expect(dead[0]?.detail).toMatch(
      /could not be saved to the Windows table: more than 64 closed windows were waiting for a retry/,
    );
  });

  it('a window the table rejects permanently is dead-lettered at once; the others are saved', async () => {
    const h = harness();
    await quiet(h);
    const upsert = h.stores.windows.upsert.bind(h.stores.windows);
    h.stores.windows.upsert = async (key, windows) => {
      if (windows.some((w) => (w.data as { events: number }).events > 2)) throw tooLarge();
      await upsert(key, windows);
    };
    await deliver(h.deps, '0', 0, bytes([ev('s', 1, 1), ev('s', 61, 1), ev('s', 62, 1), ev('s', 63, 1)]));
    await deliver(h.deps, '0', 4, bytes([ev('s', 200, 1)]));
    await deliver(h.deps, '0', 5, bytes([ev('s', 201, 1)]));
    expect((await view(h.driver, QS)).metrics).toMatchObject({ unsavedWindows: 0, unsavedDropped: 1 });
    expect((await h.stores.windows.query(QS)).items.map((w) => w.start)).toEqual([T0]);
    expect((await h.stores.deadLetters.query()).items.map((d) => [d.reason, d.sequenceNumber])).toEqual([
      ['storage', T0 + 60_000],
    ]);
  });
});
