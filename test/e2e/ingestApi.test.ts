import { pollUntil } from '../support/fetchText';
import {
  exactQuantile,
  expectedOperations,
  loggedBatches,
  PARTITIONS,
  pollApi,
  prng,
  type Stack,
  startStack,
  type Stats,
  stats,
} from './e2eKit';

/**
 * End to end on the local host: events go into the local Event Hub, the real ingest function folds them, the stream
 * entities run on the host's durable runtime, windows/dead letters/catalog/metrics land in a real Azurite, and every
 * assertion is made through the HTTP API, against expectations computed from what was sent.
 */

const T = Date.parse('2026-01-01T00:00:00Z');
const WINDOW_MS = 10_000;
const STREAMS = Array.from({ length: 20 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
const ACCURACY = 0.01;
const RETENTION_SETTING = 50;

let stack: Stack;

beforeAll(async () => {
  // The idle timer every 2 s also refreshes catalog rows that lag (see 'The catalog lists...'), so the poll stays short.
  stack = await startStack({
    STREAM_RETENTION_WINDOWS: String(RETENTION_SETTING),
    IDLE_FLUSH_SCHEDULE: '*/2 * * * * *',
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

interface Problem {
  status: number;
  errors: { field: string; message: string }[];
}

interface SummaryJson {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

interface WindowJson {
  start: number;
  end: number;
  data: { start: number; end: number; events: number; closedBy: string; measures: Record<string, SummaryJson> };
}

interface MetricsJson {
  events: number;
  batches: number;
  aggregated: number;
  filtered: number;
  deadLettered: number;
  entityOperations: number;
  entityOperationsPer1000Events: number;
  latency: { p50: number; p99: number; samples: number };
}

interface StreamJson {
  events: number;
  totals: Record<string, SummaryJson>;
  windows: { start: number; events: number; measures: Record<string, SummaryJson> }[];
  metrics: { late: number; invalid: number };
}

const expectSummary = (actual: SummaryJson | undefined, expected: Stats, where: string): void => {
  expect({ where, count: actual?.count, sum: actual?.sum, min: actual?.min, max: actual?.max }).toEqual({
    where,
    count: expected.count,
    sum: expected.sum,
    min: expected.min,
    max: expected.max,
  });
  for (const [name, q] of [
    ['p50', 0.5],
    ['p90', 0.9],
    ['p99', 0.99],
  ] as const) {
    const exact = exactQuantile(expected.sorted, q);
    const estimate = actual?.[name];
    // DDSketch guarantee: relative error at most the accuracy (tiny slack for float rounding in the mapping).
    expect({
      where,
      name,
      error: Math.abs((estimate ?? NaN) - exact) <= ACCURACY * Math.abs(exact) * (1 + 1e-9),
    }).toEqual({ where, name, error: true });
  }
};

async function drain<T>(path: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await stack.api(
      `${path}${sep}limit=${limit}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
    );
    expect(res.status).toBe(200);
    const page = res.json as { items: T[]; continuationToken?: string };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    token = page.continuationToken;
    pages += 1;
  } while (token);
  return { items, pages };
}

describe('Streamfold on the local host with Azurite', () => {
  it('answers 400 problem+json naming the field for a bad pipeline and bad query parameters', async () => {
    const health = await stack.api('/api/health');
    expect(health).toMatchObject({ status: 200, json: { status: 'ok', checks: { storage: { status: 'ok' } } } });

    const bad = await stack.api('/api/pipelines/bad', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ window: { type: 'tumbling', size: 'soon' }, measures: { v: 'value +' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/^application\/problem\+json/);
    const fields = (bad.json as Problem).errors.map((e) => e.field).sort();
    expect(fields).toContain('window.size');
    expect((bad.json as Problem).errors.find((e) => e.field === 'window.size')?.message).toMatch(
      /^window.size: expected an ISO 8601 duration like "PT1M".*; found string "soon"$/,
    );
    expect((bad.json as Problem).errors.find((e) => e.field === 'measures.v')?.message).toMatch(
      /^measures.v: expected a valid numeric measure CEL expression: Unexpected token: EOF \(at position 7\)/,
    );
    expect((await stack.api('/api/pipelines/bad')).status).toBe(404);

    for (const [path, field] of [
      ['/api/streams?limit=0', 'limit'],
      ['/api/deadletters?since=yesterday', 'since'],
      ['/api/streams/default/x/windows?from=tomorrow', 'from'],
      ['/api/metrics?minutes=99999', 'minutes'],
    ] as const) {
      const res = await stack.api(path);
      expect({
        path,
        status: res.status,
        type: res.contentType.split(';')[0],
        fields: (res.json as Problem).errors?.map((e) => e.field),
      }).toEqual({
        path,
        status: 400,
        type: 'application/problem+json',
        fields: [field],
      });
    }
  });

  it('folds a few thousand events across 20 streams into exact per-stream and per-window figures, closes windows once, dead-letters bad events and reports metrics', async () => {
    // idleTimeout "0": this test closes windows by the watermark only (idleFlush.test.ts covers the idle timeout).
    const definition = {
      measures: { value: 'value' },
      window: { type: 'tumbling', size: 'PT10S' },
      lateness: 'PT10M',
      idleTimeout: 'PT0S',
    };
    const put = await stack.api('/api/pipelines/main', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
    // No retention in the body: the host's STREAM_RETENTION_WINDOWS applies.
    expect(put.json).toMatchObject({
      name: 'main',
      definition: { retention: RETENTION_SETTING, window: { type: 'tumbling', size: 'PT10S' } },
    });
    expect(
      ((await stack.api('/api/pipelines')).json as { items: { name: string }[] }).items.map((p) => p.name),
    ).toEqual(['main']);

    // Until ingest re-reads the pipelines (PIPELINE_REFRESH_SECONDS=1) events go to the default pipeline: probe.
    await pollApi(
      stack,
      '/api/streams/main/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: JSON.stringify({ stream: 'probe', time: T - 3_600_000, value: 1 }), partition: 0 }]);
      },
    );

    const random = prng(20261126);
    const byStream = new Map<string, number[]>();
    const byWindow = new Map<string, number[]>();
    const add = (stream: string, time: number, value: number) => {
      byStream.set(stream, [...(byStream.get(stream) ?? []), value]);
      const key = `${stream}|${Math.floor(time / WINDOW_MS) * WINDOW_MS}`;
      byWindow.set(key, [...(byWindow.get(key) ?? []), value]);
    };
    const events: { body: string; partition: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const stream = STREAMS[Math.floor(random() * STREAMS.length)]!;
      const time = T + Math.floor(random() * 6 * WINDOW_MS);
      const value = Math.floor(random() * 40_000 + 1) / 4; // quarters: sums are exact in binary floating point
      add(stream, time, value);
      events.push({
        body: JSON.stringify({ stream, time: new Date(time).toISOString(), value }),
        partition: i % PARTITIONS,
      });
    }
    // A malformed body and a schema violation among them, in the middle of partition 1's batch.
    const malformed = '{"stream": "s-03", "value": ';
    const invalid = JSON.stringify({ stream: 's-03', time: new Date(T + 1000).toISOString(), value: 'x' });
    events.splice(1501, 0, { body: malformed, partition: 1 }, { body: invalid, partition: 1 });
    await stack.send(events);

    // Push each stream's watermark past the last window's end + lateness in every partition, then commit those
    // partials with one more batch per partition, so the 60 s of windows close.
    const later = T + 3_600_000;
    const closers = STREAMS.flatMap((stream) =>
      Array.from({ length: PARTITIONS }, (_, p) => ({ stream, time: later + p, value: 1 + p, partition: p })),
    );
    const commits = STREAMS.flatMap((stream) =>
      Array.from({ length: PARTITIONS }, (_, p) => ({ stream, time: later + 5000 + p, value: 10 + p, partition: p })),
    );
    for (const round of [closers, commits]) {
      for (const e of round) add(e.stream, e.time, e.value);
      await stack.send(
        round.map((e) => ({
          body: JSON.stringify({ stream: e.stream, time: new Date(e.time).toISOString(), value: e.value }),
          partition: e.partition,
        })),
      );
    }

    // Live state of every stream: exact totals (pending partials merged), quantiles within the sketch's error.
    for (const stream of STREAMS) {
      const expected = stats(byStream.get(stream) ?? []);
      const view = await pollApi(stack, `/api/streams/main/${stream}`, (r) =>
        r.status === 200 && (r.json as StreamJson).events === expected.count ? (r.json as StreamJson) : undefined,
      );
      expectSummary(view.totals['value'], expected, `${stream} totals`);
      expect(view.metrics.invalid).toBe(stream === 's-03' ? 1 : 0);
      // Only the window of the closing events is still live.
      expect(view.windows.map((w) => w.start)).toEqual([Math.floor(later / WINDOW_MS) * WINDOW_MS]);
    }

    // Closed windows: each exactly once in the Windows table, with the same numbers, paged 2 at a time.
    let windowsChecked = 0;
    for (const stream of STREAMS) {
      const expectedStarts = [...byWindow.keys()]
        .filter((k) => k.startsWith(`${stream}|`))
        .map((k) => Number(k.split('|')[1]))
        .filter((s) => s < later)
        .sort((a, b) => a - b);
      const all = await pollApi(stack, `/api/streams/main/${stream}/windows?limit=1000`, (r) =>
        (r.json as { items: WindowJson[] }).items.length >= expectedStarts.length ? true : undefined,
      );
      expect(all).toBe(true);
      const { items, pages } = await drain<WindowJson>(`/api/streams/main/${stream}/windows`, 2);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expectedStarts.length / 2));
      expect(items.map((w) => w.start)).toEqual(expectedStarts);
      for (const w of items) {
        const expected = stats(byWindow.get(`${stream}|${w.start}`)!);
        expect({ start: w.start, end: w.end, events: w.data.events, closedBy: w.data.closedBy }).toEqual({
          start: w.start,
          end: w.start + WINDOW_MS,
          events: expected.count,
          closedBy: 'watermark',
        });
        expectSummary(w.data.measures['value'], expected, `${stream} window ${new Date(w.start).toISOString()}`);
        windowsChecked += 1;
      }
      // from/to select by window start, [from, to).
      const second = expectedStarts[1]!;
      const ranged = (
        await stack.api(
          `/api/streams/main/${stream}/windows?from=${new Date(second).toISOString()}&to=${second + 2 * WINDOW_MS}`,
        )
      ).json as { items: WindowJson[] };
      expect(ranged.items.map((w) => w.start)).toEqual(
        expectedStarts.filter((s) => s >= second && s < second + 2 * WINDOW_MS),
      );
    }
    expect(windowsChecked).toBeGreaterThanOrEqual(STREAMS.length * 5);

    // A late event for a closed window is dead-lettered, and the stored window does not change.
    const lateBody = JSON.stringify({ stream: 's-07', time: new Date(T + 5).toISOString(), value: 99999 });
    await stack.send([{ body: lateBody, partition: 2 }]);

    // Dead letters: raw body, reason, partition, sequence number (position in its partition) and stream when known.
    const seqOf = (partition: number, body: string) => stack.sent.get(String(partition))!.indexOf(body);
    const dead = await pollApi(stack, `/api/deadletters?since=${T}`, (r) =>
      (r.json as { items: unknown[] }).items.length >= 3
        ? (r.json as { items: Record<string, unknown>[] }).items
        : undefined,
    );
    const pick = (d: Record<string, unknown>) => ({
      raw: d['raw'],
      reason: d['reason'],
      partition: d['partition'],
      sequenceNumber: d['sequenceNumber'],
      pipeline: d['pipeline'],
      stream: d['stream'],
    });
    expect(dead.map(pick).sort((a, b) => String(a.reason).localeCompare(String(b.reason)))).toEqual([
      {
        raw: malformed,
        reason: 'invalid-json',
        partition: '1',
        sequenceNumber: seqOf(1, malformed),
        pipeline: 'main',
        stream: undefined,
      },
      {
        raw: lateBody,
        reason: 'late',
        partition: '2',
        sequenceNumber: seqOf(2, lateBody),
        pipeline: 'main',
        stream: 's-07',
      },
      {
        raw: invalid,
        reason: 'schema',
        partition: '1',
        sequenceNumber: seqOf(1, invalid),
        pipeline: 'main',
        stream: 's-03',
      },
    ]);
    for (const d of dead)
      expect(typeof d['enqueuedTime'] === 'string' && typeof d['recordedAt'] === 'string').toBe(true);
    const onlySchema = (await stack.api(`/api/deadletters?since=${T}&reason=schema`)).json as {
      items: { raw: string }[];
    };
    expect(onlySchema.items.map((d) => d.raw)).toEqual([invalid]);
    const s07 = await pollApi(stack, '/api/streams/main/s-07', (r) =>
      (r.json as StreamJson).metrics.late === 1 ? (r.json as StreamJson) : undefined,
    );
    expect(s07.events).toBe(byStream.get('s-07')!.length);
    const firstWindow = (await stack.api(`/api/streams/main/s-07/windows?to=${T + WINDOW_MS}`)).json as {
      items: WindowJson[];
    };
    expect(firstWindow.items.map((w) => w.data.events)).toEqual([byWindow.get(`s-07|${T}`)!.length]);

    // The catalog lists every stream with its exact total: the entity rewrites a row at most every CATALOG_REFRESH_MS
    // while merges come, so once the stream is quiet a commit or the timer's flush (idle index) makes it exact.
    await pollApi(stack, '/api/streams?pipeline=main&prefix=s-&limit=1000', (r) => {
      const items = (r.json as { items: { stream: string; events: number }[] }).items;
      return items.length === STREAMS.length && items.every((e) => e.events === byStream.get(e.stream)?.length)
        ? true
        : undefined;
    });
    const listed = await drain<{ pipeline: string; stream: string; events: number; eventsPerSec: number }>(
      '/api/streams?pipeline=main&prefix=s-',
      7,
    );
    expect(listed.pages).toBe(3);
    expect(listed.items.map((e) => [e.stream, e.events])).toEqual(STREAMS.map((s) => [s, byStream.get(s)!.length]));
    for (const e of listed.items) expect(e.eventsPerSec).toBeGreaterThan(0);

    // Metrics: every body counted once; the entity operations are one per (pipeline, stream) per batch plus the commits.
    const totalSent = [...stack.sent.values()].reduce((n, l) => n + l.length, 0);
    const batches = await pollUntil(async () => {
      const logged = loggedBatches(stack.host.output());
      return logged.reduce((n, b) => n + b.events, 0) === totalSent ? logged : undefined;
    }, 60_000);
    // Every batch's operations: one merge per (pipeline, stream) in it, plus one commit per (pipeline, stream) of the
    // partition's previous batch that is absent from it (e.g. the probe stream once the burst starts).
    const cursor = new Map<string, number>();
    const expected = expectedOperations(batches, stack.sent);
    let expectedOps = 0;
    let expectedCommits = 0;
    batches.forEach((b, i) => {
      // Batches of a partition follow each other without gaps (no restart in this test).
      expect({ partition: b.partition, firstSequence: b.firstSequence }).toEqual({
        partition: b.partition,
        firstSequence: cursor.get(b.partition) ?? 0,
      });
      cursor.set(b.partition, b.lastSequence + 1);
      expect(b.lastSequence - b.firstSequence + 1).toBe(b.events);
      const want = expected[i]!;
      expect({
        partition: b.partition,
        firstSequence: b.firstSequence,
        entityOperations: b.entityOperations,
        commits: b.commits,
      }).toEqual({
        partition: b.partition,
        firstSequence: b.firstSequence,
        entityOperations: want.merges + want.commits,
        commits: want.commits,
      });
      expectedOps += want.merges + want.commits;
      expectedCommits += want.commits;
    });
    // The probe stream's partition moved on to the burst without it: at least that one commit happened.
    expect(expectedCommits).toBeGreaterThan(0);
    const expectedOperationsTotal = expectedOps;
    const metrics = await pollApi(stack, '/api/metrics?minutes=60', (r) =>
      (r.json as { events: number }).events === totalSent ? (r.json as MetricsJson) : undefined,
    );
    expect(metrics.aggregated + metrics.filtered + metrics.deadLettered).toBe(totalSent);
    expect(metrics.deadLettered).toBe(3);
    expect(metrics.batches).toBe(batches.length);
    expect(metrics.entityOperations).toBe(expectedOperationsTotal);
    expect(metrics.entityOperationsPer1000Events).toBeCloseTo((expectedOperationsTotal / totalSent) * 1000, 9);
    expect(metrics.entityOperations).toBeLessThan(totalSent);
    expect(metrics.latency.samples).toBeGreaterThan(0);
    expect(metrics.latency.p50).toBeLessThanOrEqual(metrics.latency.p99);
  }, 300_000);

  it('applies a new pipeline (filter and computed measure) within the refresh time, to plain events and CloudEvents alike', async () => {
    const definition = {
      filter: 'value >= 100',
      measures: { twice: 'value * 2', small: 'value < 150 ? 1 : 0' },
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT1H',
    };
    const put = await stack.api('/api/pipelines/calc', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
    await pollApi(
      stack,
      '/api/streams/calc/calc-probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: JSON.stringify({ stream: 'calc-probe', time: T, value: 500 }), partition: 3 }]);
      },
    );
    const values = Array.from({ length: 200 }, (_, i) => (i * 7) % 300);
    // Every other event is a CloudEvents 1.0 structured event: stream from subject, time from time, value from data.
    const cloudEvent = (value: number, i: number) => ({
      specversion: '1.0',
      id: `calc-${i}`,
      source: '/e2e',
      type: 'reading',
      subject: 'calc-s',
      time: new Date(T + i * 100).toISOString(),
      data: { value },
    });
    await stack.send(
      values.map((value, i) => ({
        body: JSON.stringify(i % 2 ? cloudEvent(value, i) : { stream: 'calc-s', time: T + i * 100, value }),
        partition: i % PARTITIONS,
      })),
    );
    const kept = values.filter((v) => v >= 100);
    const view = await pollApi(stack, '/api/streams/calc/calc-s', (r) =>
      r.status === 200 && (r.json as StreamJson).events === kept.length ? (r.json as StreamJson) : undefined,
    );
    expect(view.totals['twice']).toMatchObject({
      count: kept.length,
      sum: 2 * kept.reduce((s, v) => s + v, 0),
      min: 2 * Math.min(...kept),
      max: 2 * Math.max(...kept),
    });
    expect(view.totals['small']).toMatchObject({ count: kept.length, sum: kept.filter((v) => v < 150).length });
    // The main pipeline still sees every event of the stream, unfiltered.
    await pollApi(stack, '/api/streams/main/calc-s', (r) =>
      r.status === 200 && (r.json as StreamJson).events === values.length ? true : undefined,
    );
    const metrics = (await stack.api('/api/metrics?minutes=60')).json as { filtered: number };
    expect(metrics.filtered).toBe(values.length - kept.length);
    expect((await stack.api('/api/pipelines/calc', { method: 'DELETE' })).status).toBe(204);
    expect((await stack.api('/api/pipelines/calc')).status).toBe(404);
  }, 180_000);
});
