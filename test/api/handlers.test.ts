import {
  aggregateOf,
  type ClosedWindow,
  DEAD_LETTER_REASONS,
  encodeStreamKey,
  initialStreamState,
  streamView,
  summarize,
  toStoredWindow,
} from '../../src/core';
import { listDeadLetters } from '../../src/functions/api/deadLetters';
import { setApiDeps } from '../../src/functions/api/deps';
import { HttpError } from '../../src/functions/api/errors';
import { health, HEALTH_CACHE_MS } from '../../src/functions/api/health';
import { getMetrics } from '../../src/functions/api/metrics';
import {
  deletePipeline,
  getPipeline,
  listPipelines,
  listPipelineVersions,
  putPipeline,
} from '../../src/functions/api/pipelines';
import { getStream, listStreams, listWindows, listWindowVersions } from '../../src/functions/api/streams';
import { encodeContinuationToken } from '../../src/storage/continuationToken';
import { createMemoryStores } from '../../src/storage/createStores';
import type { Stores } from '../../src/storage/types';
import { closedWindowRow } from '../support/closedWindowRow';
import { call, useDeps } from './apiTestKit';

let stores: Stores;

beforeEach(() => {
  stores = createMemoryStores();
  useDeps(stores);
});

afterAll(() => setApiDeps(undefined));

const pipeline = { key: 'device', measures: { temp: 'value' }, window: { type: 'tumbling', size: 'PT1M' } };

describe('problem mapping', () => {
  it('turns HttpError into problem+json with its fields', async () => {
    const res = await call(
      async () => {
        throw HttpError.badRequest([{ field: 'x', message: 'x: expected 1; found 2' }]);
      },
      { path: 'anything' },
    );
    expect(res).toMatchObject({ status: 400, contentType: 'application/problem+json' });
    expect(res.json).toEqual({
      type: 'https://www.rfc-editor.org/rfc/rfc9110#name-400-bad-request',
      title: 'Invalid request',
      status: 400,
      detail: 'x: expected 1; found 2',
      instance: '/api/anything',
      errors: [{ field: 'x', message: 'x: expected 1; found 2' }],
    });
  });

  it('turns anything else into a 500 that does not leak the error, and logs it', async () => {
    const res = await call(
      async () => {
        throw new Error('secret connection string AccountKey=abc');
      },
      { path: 'boom' },
    );
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.json)).not.toContain('secret');
    expect((res.json as { detail: string }).detail).toContain('inv-1');
    expect(res.logs.join('\n')).toContain('secret connection string');
  });
});

describe('GET /api/health', () => {
  it('reports ok with version and a storage check', async () => {
    const res = await call(health, { path: 'health' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      checks: { storage: { status: 'ok' } },
    });
  });

  it('reports 503 degraded when storage fails, without the error text', async () => {
    useDeps({
      ...stores,
      pipelines: { ...stores.pipelines, list: async () => Promise.reject(new Error('ECONNREFUSED 10.0.0.1')) },
    });
    const res = await call(health, { path: 'health' });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ status: 'degraded', checks: { storage: { status: 'failed' } } });
    expect(JSON.stringify(res.json)).not.toContain('ECONNREFUSED');
  });

  it('reads storage once per HEALTH_CACHE_MS however often it is called (the route is anonymous)', async () => {
    let reads = 0;
    let now = Date.parse('2024-05-01T10:05:30Z');
    const counting = {
      ...stores,
      pipelines: { ...stores.pipelines, list: async () => (reads++, stores.pipelines.list()) },
    };
    useDeps(counting, undefined, () => now);
    const first = await Promise.all(Array.from({ length: 5 }, () => call(health, { path: 'health' })));
    now += HEALTH_CACHE_MS - 1;
    const within = await Promise.all(Array.from({ length: 5 }, () => call(health, { path: 'health' })));
    expect([...first, ...within].map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(reads).toBe(1);
    now += 1;
    await call(health, { path: 'health' });
    expect(reads).toBe(2);
  });

  it('caches a failed check too, and recovers once the TTL has passed', async () => {
    let down = true;
    let reads = 0;
    let now = 0;
    const flaky = {
      ...stores,
      pipelines: {
        ...stores.pipelines,
        list: async () => (reads++, down ? Promise.reject(new Error('down')) : stores.pipelines.list()),
      },
    };
    useDeps(flaky, undefined, () => now);
    expect((await call(health, { path: 'health' })).status).toBe(503);
    down = false;
    expect((await call(health, { path: 'health' })).status).toBe(503);
    now += HEALTH_CACHE_MS;
    expect((await call(health, { path: 'health' })).status).toBe(200);
    expect(reads).toBe(2);
  });
});

describe('pipelines', () => {
  it('creates, reads, lists, replaces and deletes', async () => {
    expect(
      (await call(putPipeline, { method: 'PUT', path: 'pipelines/temps', params: { name: 'temps' }, body: pipeline }))
        .status,
    ).toBe(201);
    const got = await call(getPipeline, { path: 'pipelines/temps', params: { name: 'temps' } });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      name: 'temps',
      definition: { name: 'temps', key: 'device', measures: { temp: 'value' } },
    });
    expect(
      (
        await call(putPipeline, {
          method: 'PUT',
          path: 'pipelines/temps',
          params: { name: 'temps' },
          body: { ...pipeline, window: { type: 'tumbling', size: 'PT5M' } },
        })
      ).status,
    ).toBe(200);
    expect(
      ((await call(listPipelines, { path: 'pipelines' })).json as { items: { name: string }[] }).items.map(
        (p) => p.name,
      ),
    ).toEqual(['temps']);
    const versions = await call(listPipelineVersions, { path: 'pipelines/temps/versions', params: { name: 'temps' } });
    expect(
      (versions.json as { items: { version: number; definition: { window: { size: string } } }[] }).items.map((v) => [
        v.version,
        v.definition.window.size,
      ]),
    ).toEqual([
      [1, 'PT1M'],
      [2, 'PT5M'],
    ]);
    expect(
      (await call(deletePipeline, { method: 'DELETE', path: 'pipelines/temps', params: { name: 'temps' } })).status,
    ).toBe(204);
    const gone = await call(getPipeline, { path: 'pipelines/temps', params: { name: 'temps' } });
    expect(gone).toMatchObject({ status: 404, contentType: 'application/problem+json' });
    expect(
      (await call(deletePipeline, { method: 'DELETE', path: 'pipelines/temps', params: { name: 'temps' } })).status,
    ).toBe(404);
    expect(
      await call(listPipelineVersions, { path: 'pipelines/temps/versions', params: { name: 'temps' } }),
    ).toMatchObject({ status: 404, contentType: 'application/problem+json' });
  });

  it('accepts the flights definition exactly as written, named by the route', async () => {
    const flights = {
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delay: 'delay', distance: 'distance' },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
    };
    const res = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/flights',
      params: { name: 'flights' },
      body: flights,
    });
    expect(res.status).toBe(201);
    expect((await stores.pipelines.get('flights'))?.definition).toEqual({
      name: 'flights',
      ...flights,
      retention: 60,
      sketchAccuracy: 0.01,
      idleTimeout: 'PT2M',
    });
  });

  it('rejects an invalid definition with a 400 naming the bad field, and stores nothing', async () => {
    const res = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/temps',
      params: { name: 'temps' },
      body: { ...pipeline, window: { type: 'tumbling', size: 'soon' } },
    });
    expect(res.status).toBe(400);
    const problem = res.json as { errors: { field: string; message: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(['window.size']);
    expect(problem.errors[0]?.message).toMatch(
      /^window\.size: expected an ISO 8601 duration like "PT1M".*; found string "soon"$/,
    );
    expect(await stores.pipelines.get('temps')).toBeUndefined();
  });

  it('fills in STREAM_RETENTION_WINDOWS when the body sets no retention, and keeps an explicit one', async () => {
    useDeps(stores, undefined, undefined, 7);
    const implicit = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/temps',
      params: { name: 'temps' },
      body: pipeline,
    });
    expect(implicit.json).toMatchObject({ definition: { retention: 7 } });
    const explicit = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/temps',
      params: { name: 'temps' },
      body: { ...pipeline, retention: 3 },
    });
    expect(explicit.json).toMatchObject({ definition: { retention: 3 } });
    expect((await stores.pipelines.get('temps'))?.definition).toMatchObject({ retention: 3 });
  });

  it('rejects a body whose name differs from the URL, and non-JSON bodies', async () => {
    const mismatch = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/temps',
      params: { name: 'temps' },
      body: { ...pipeline, name: 'other' },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.contentType).toBe('application/problem+json');
    expect((mismatch.json as { errors: { field: string; message: string }[] }).errors).toEqual([
      { field: 'name', message: 'name: expected the pipeline\'s name, "temps", or no name; found string "other"' },
    ]);
    expect(await stores.pipelines.get('temps')).toBeUndefined();
    const notJson = await call(putPipeline, {
      method: 'PUT',
      path: 'pipelines/temps',
      params: { name: 'temps' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect((notJson.json as { detail: string }).detail).toMatch(/expected valid JSON; found "\{oops"/);
  });
});

describe('streams', () => {
  beforeEach(async () => {
    await stores.streams.touch([
      { pipeline: 'temps', stream: 'room-1', lastSeen: '2024-05-01T10:00:00Z', events: 120, eventsPerSec: 2 },
      { pipeline: 'temps', stream: 'hall', lastSeen: '2024-05-01T10:00:00Z', events: 60, eventsPerSec: 1 },
      { pipeline: 'power', stream: 'room-1', lastSeen: '2024-05-01T09:00:00Z', events: 5, eventsPerSec: 0.1 },
    ]);
  });

  it('lists the catalog with filters and pagination', async () => {
    const all = await call(listStreams, { path: 'streams?limit=2' });
    const first = all.json as { items: { stream: string }[]; continuationToken: string };
    expect(first.items).toHaveLength(2);
    const rest = await call(listStreams, {
      path: `streams?limit=2&continuationToken=${encodeURIComponent(first.continuationToken)}`,
    });
    expect((rest.json as { items: unknown[]; continuationToken?: string }).items).toHaveLength(1);
    expect((rest.json as { continuationToken?: string }).continuationToken).toBeUndefined();
    const filtered = await call(listStreams, { path: 'streams?pipeline=temps&prefix=room' });
    expect(filtered.json).toEqual({
      items: [
        { pipeline: 'temps', stream: 'room-1', lastSeen: '2024-05-01T10:00:00.000Z', events: 120, eventsPerSec: 2 },
      ],
    });
  });

  it('rejects bad paging input naming the field', async () => {
    const res = await call(listStreams, { path: 'streams?limit=5000' });
    expect(res.status).toBe(400);
    expect((res.json as { errors: { field: string; message: string }[] }).errors).toEqual([
      { field: 'limit', message: 'limit: expected an integer from 1 to 1000; found "5000"' },
    ]);
    const token = await call(listStreams, { path: 'streams?continuationToken=forged' });
    expect(token.status).toBe(400);
    expect((token.json as { errors: { field: string }[] }).errors[0]?.field).toBe('continuationToken');
  });

  it('answers 400 naming continuationToken for a well-wrapped token around junk, and for a huge one', async () => {
    for (const state of ['junk', '-1', '1e3', '']) {
      const res = await call(listStreams, {
        path: `streams?limit=1&continuationToken=${encodeContinuationToken(state)}`,
      });
      expect(res).toMatchObject({ status: 400, contentType: 'application/problem+json' });
      expect((res.json as { errors: { field: string; message: string }[] }).errors).toEqual([
        {
          field: 'continuationToken',
          message: expect.stringMatching(/^continuationToken: expected a token returned by a previous page, found "/),
        },
      ]);
    }
    const huge = await call(listStreams, { path: `streams?continuationToken=${'A'.repeat(133 * 1024)}` });
    expect(huge.status).toBe(400);
    expect((huge.json as { errors: { field: string; message: string }[] }).errors[0]).toMatchObject({
      field: 'continuationToken',
      message: expect.stringMatching(
        /^continuationToken: expected a token from a previous page \(at most 16384 characters\); found "A{79}…$/,
      ),
    });
  });

  it('serves live entity state, 404 when the entity does not exist', async () => {
    const view = streamView(initialStreamState());
    useDeps(stores, new Map([['temps|room-1', view]]));
    const live = await call(getStream, {
      path: 'streams/temps/room-1',
      params: { pipeline: 'temps', stream: 'room-1' },
    });
    expect(live.status).toBe(200);
    expect(live.json).toEqual(JSON.parse(JSON.stringify(view)));
    const missing = await call(getStream, {
      path: 'streams/temps/nope',
      params: { pipeline: 'temps', stream: 'nope' },
    });
    expect(missing.status).toBe(404);
    expect((missing.json as { detail: string }).detail).toContain('"nope"');
  });

  it('serves closed windows with from/to as ISO or epoch ms', async () => {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    await stores.windows.upsert(
      encodeStreamKey('temps', 'room-1'),
      [0, 1, 2, 3].map((i) => closedWindowRow(t0 + i * 60_000, t0 + (i + 1) * 60_000, { events: i })),
    );
    const params = { pipeline: 'temps', stream: 'room-1' };
    const iso = await call(listWindows, {
      path: 'streams/temps/room-1/windows?from=2024-05-01T10:01:00Z&to=2024-05-01T10:03:00Z',
      params,
    });
    expect((iso.json as { items: { data: { events: number } }[] }).items.map((w) => w.data.events)).toEqual([1, 2]);
    const ms = await call(listWindows, { path: `streams/temps/room-1/windows?from=${t0 + 180_000}`, params });
    expect((ms.json as { items: { start: number }[] }).items.map((w) => w.start)).toEqual([t0 + 180_000]);
    const bad = await call(listWindows, { path: 'streams/temps/room-1/windows?from=tomorrow', params });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { message: string }[] }).errors[0]?.message).toBe(
      'from: expected an ISO 8601 time or epoch milliseconds; found "tomorrow"',
    );
    const reversed = await call(listWindows, { path: `streams/temps/room-1/windows?from=${t0 + 1}&to=${t0}`, params });
    expect((reversed.json as { errors: { field: string }[] }).errors[0]?.field).toBe('to');
  });

  it("serves the latest version of each window with `version`, and one window's versions oldest first", async () => {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    const key = encodeStreamKey('temps', 'room-v');
    const v1 = closedWindowRow(t0, t0 + 60_000, { events: 2 });
    const v2 = { ...v1, data: { ...v1.data, events: 4, version: 2 } };
    await stores.windows.upsert(key, [v2, closedWindowRow(t0 + 60_000, t0 + 120_000, { events: 1 })]);
    await stores.windowVersions.put(key, [
      { start: t0, version: 2, data: v2.data },
      { start: t0, version: 1, data: v1.data },
    ]);
    const params = { pipeline: 'temps', stream: 'room-v' };
    const latest = await call(listWindows, { path: 'streams/temps/room-v/windows', params });
    expect((latest.json as { items: { version: number }[] }).items.map((w) => w.version)).toEqual([2, 1]);
    const versions = await call(listWindowVersions, {
      path: 'streams/temps/room-v/windows/2024-05-01T10:00:00Z/versions',
      params: { ...params, start: '2024-05-01T10:00:00Z' },
    });
    expect(versions.status).toBe(200);
    expect(
      (versions.json as { items: { version: number; data: { events: number } }[] }).items.map((v) => [
        v.version,
        v.data.events,
      ]),
    ).toEqual([
      [1, 2],
      [2, 4],
    ]);
    // A window never revised has no history rows (version 1 is written lazily by the first revision): its one
    // version is its Windows row.
    const unrevised = await call(listWindowVersions, {
      path: `streams/temps/room-v/windows/${t0 + 60_000}/versions`,
      params: { ...params, start: String(t0 + 60_000) },
    });
    expect(unrevised.status).toBe(200);
    expect(unrevised.json).toEqual({
      items: [{ start: t0 + 60_000, version: 1, data: expect.objectContaining({ events: 1 }) }],
    });
    const none = await call(listWindowVersions, {
      path: `streams/temps/room-v/windows/${t0 + 120_000}/versions`,
      params: { ...params, start: String(t0 + 120_000) },
    });
    expect(none.status).toBe(404);
    expect((none.json as { detail: string }).detail).toBe(
      'No window starting at 2024-05-01T10:02:00.000Z in stream "room-v" of pipeline "temps".',
    );
    const bad = await call(listWindowVersions, {
      path: 'streams/temps/room-v/windows/soon/versions',
      params: { ...params, start: 'soon' },
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { field: string }[] }).errors[0]?.field).toBe('start');
  });

  it("serves each stored window with its summaries: derived from a compact row's aggregates, an old row's as stored", async () => {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    const aggregate = aggregateOf([3, 1, 4, 1, 5, 9, 2, 6].map((value, i) => ({ value, time: t0 + i })));
    const closed: ClosedWindow = {
      pipeline: 'temps',
      stream: 'room-2',
      start: t0,
      end: t0 + 60_000,
      events: 8,
      measures: { v: { ...summarize(aggregate), aggregate } },
      closedAt: t0 + 90_000,
      closedBy: 'watermark',
    };
    const key = encodeStreamKey('temps', 'room-2');
    await stores.windows.upsert(key, [
      { start: t0, end: t0 + 60_000, data: toStoredWindow(closed) },
      { start: t0 + 60_000, end: t0 + 120_000, data: { ...closed, start: t0 + 60_000, end: t0 + 120_000 } },
    ]);
    expect((await stores.windows.query(key)).items[0]?.data).not.toHaveProperty('measures.v.p50');
    const res = await call(listWindows, {
      path: 'streams/temps/room-2/windows',
      params: { pipeline: 'temps', stream: 'room-2' },
    });
    const served = (res.json as { items: { data: ClosedWindow }[] }).items.map((w) => w.data);
    expect(served).toEqual(JSON.parse(JSON.stringify([closed, { ...closed, start: t0 + 60_000, end: t0 + 120_000 }])));
    expect(served[0]?.measures['v']).toMatchObject({
      count: 8,
      p50: summarize(aggregate).p50,
      stddev: summarize(aggregate).stddev,
    });
  });

  it('reads any stream name from the query form (stream?pipeline=&stream=) exactly, and answers 400 for a name no stream can have', async () => {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    const odd = 'q4/b?#%2F';
    await stores.windows.upsert(encodeStreamKey('temps', odd), [closedWindowRow(t0, t0 + 60_000, { events: 7 })]);
    await stores.windows.upsert(encodeStreamKey('temps', 'q4/b'), [closedWindowRow(t0, t0 + 60_000, { events: 1 })]);
    const windows = await call(listWindows, {
      path: `stream/windows?pipeline=temps&stream=${encodeURIComponent(odd)}`,
    });
    expect((windows.json as { items: { data: { events: number } }[] }).items.map((w) => w.data.events)).toEqual([7]);
    const view = streamView(initialStreamState());
    useDeps(stores, new Map([[`temps|${odd}`, view]]));
    expect((await call(getStream, { path: `stream?pipeline=temps&stream=${encodeURIComponent(odd)}` })).status).toBe(
      200,
    );
    expect((await call(getStream, { path: 'stream?pipeline=temps&stream=q4%2Fb' })).status).toBe(404);
    const long = await call(getStream, {
      path: `streams/temps/${'x'.repeat(257)}`,
      params: { pipeline: 'temps', stream: 'x'.repeat(257) },
    });
    expect(long.status).toBe(400);
    expect((long.json as { errors: { message: string }[] }).errors[0]?.message).toMatch(
      /^stream: expected a stream key of at most 256 UTF-8 bytes, found 257;/,
    );
    const missing = await call(listWindows, { path: 'stream/windows?pipeline=temps' });
    expect((missing.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['stream']);
  });
});

describe('GET /api/deadletters', () => {
  it('filters by since and reason', async () => {
    const base = { raw: 'x', detail: 'd', partition: '0', recordedAt: '2024-05-01T10:00:00Z' };
    await stores.deadLetters.add([
      { ...base, reason: 'late', sequenceNumber: 1, enqueuedTime: '2024-05-01T08:00:00Z' },
      { ...base, reason: 'invalid-json', sequenceNumber: 2, enqueuedTime: '2024-05-01T09:30:00Z' },
      { ...base, reason: 'late', sequenceNumber: 3, enqueuedTime: '2024-05-01T09:45:00Z' },
    ]);
    const res = await call(listDeadLetters, { path: 'deadletters?since=2024-05-01T09:00:00Z&reason=late' });
    expect((res.json as { items: { sequenceNumber: number }[] }).items.map((r) => r.sequenceNumber)).toEqual([3]);
    const epoch = await call(listDeadLetters, { path: `deadletters?since=${Date.parse('2024-05-01T09:00:00Z')}` });
    expect((epoch.json as { items: { sequenceNumber: number }[] }).items.map((r) => r.sequenceNumber)).toEqual([2, 3]);
    expect((await call(listDeadLetters, { path: 'deadletters?since=later' })).status).toBe(400);
  });

  it('checks reason against the known dead-letter reasons, naming the field', async () => {
    for (const reason of DEAD_LETTER_REASONS)
      expect((await call(listDeadLetters, { path: `deadletters?reason=${reason}` })).status).toBe(200);
    const bad = await call(listDeadLetters, { path: 'deadletters?reason=lat' });
    expect(bad).toMatchObject({ status: 400, contentType: 'application/problem+json' });
    expect((bad.json as { errors: { field: string; message: string }[] }).errors).toEqual([
      { field: 'reason', message: `reason: expected one of ${DEAD_LETTER_REASONS.join(', ')}; found "lat"` },
    ]);
  });

  it('returns the stream key of a dead letter when ingest knew it', async () => {
    const base = {
      raw: '{"stream":"s1","value":"x"}',
      detail: 'd',
      partition: '0',
      recordedAt: '2024-05-01T10:00:00Z',
      enqueuedTime: '2024-05-01T09:00:00Z',
    };
    await stores.deadLetters.add([{ ...base, reason: 'schema', sequenceNumber: 1, pipeline: 'default', stream: 's1' }]);
    const res = await call(listDeadLetters, { path: 'deadletters' });
    expect(res.json).toEqual({
      items: [
        {
          ...base,
          enqueuedTime: '2024-05-01T09:00:00.000Z',
          recordedAt: '2024-05-01T10:00:00.000Z',
          reason: 'schema',
          sequenceNumber: 1,
          pipeline: 'default',
          stream: 's1',
        },
      ],
    });
  });
});

describe('GET /api/metrics', () => {
  it('summarizes rates, entity operations per 1,000 events and latency over the window', async () => {
    const { encodeSketch, DEFAULT_SKETCH_ACCURACY } = await import('../../src/core');
    const { DDSketch } = await import('@datadog/sketches-js');
    const sketch = (values: number[]) => {
      const s = new DDSketch({ relativeAccuracy: DEFAULT_SKETCH_ACCURACY });
      for (const v of values) s.accept(v);
      return encodeSketch(s, DEFAULT_SKETCH_ACCURACY);
    };
    const row = { aggregated: 0, filtered: 0, deadLettered: 0 };
    await stores.ingestMetrics.record({
      ...row,
      at: '2024-05-01T10:03:00Z',
      partition: '0',
      eventsIn: 1000,
      entityOperations: 10,
      processingMs: 500,
      latencySketch: sketch(Array(99).fill(10).concat([1000])),
    });
    await stores.ingestMetrics.record({
      ...row,
      at: '2024-05-01T10:04:00Z',
      partition: '1',
      eventsIn: 1000,
      entityOperations: 30,
      processingMs: 500,
      latencySketch: sketch(Array(100).fill(20)),
    });
    await stores.ingestMetrics.record({
      ...row,
      at: '2024-05-01T09:00:00Z',
      partition: '0',
      eventsIn: 99999,
      entityOperations: 1,
      processingMs: 1,
    });
    // Window revisions the stream entities wrote (rows of partition 'entities', not batches), two pipelines.
    for (const [pipeline, revisions] of [
      ['temps', 2],
      ['power', 1],
      ['temps', 1],
    ] as const)
      await stores.ingestMetrics.record({
        ...row,
        at: '2024-05-01T10:04:10Z',
        partition: 'entities',
        eventsIn: 0,
        entityOperations: 0,
        processingMs: 0,
        revisions,
        breakdown: { [`pipeline:${pipeline}:revisions`]: revisions },
      });
    // now = 10:05:30, minutes=5 -> window starts 10:00:00, 330 s long; the first events came in the 10:03 minute,
    // so rates divide by the 150 s since then, not by the whole window.
    const res = await call(getMetrics, { path: 'metrics' });
    const m = res.json as Record<string, unknown> & { latency: { p50: number; p99: number; samples: number } };
    expect(m).toMatchObject({
      from: '2024-05-01T10:00:00.000Z',
      events: 2000,
      batches: 2,
      partitions: 2,
      entityOperationsPer1000Events: 20,
      processingRate: 2000,
    });
    expect(m).toMatchObject({ windowSeconds: 330, rateSeconds: 150 });
    expect(m).toMatchObject({ revisions: 4, revisionsByPipeline: { temps: 3, power: 1 }, duplicatesSuppressed: 0 });
    expect(m.eventsPerSec).toBeCloseTo(2000 / 150, 6);
    expect(m.latency.samples).toBe(200);
    expect(m.latency.p50).toBeGreaterThan(9.8);
    expect(m.latency.p50).toBeLessThan(20.5);
    expect(m.latency.p99).toBeGreaterThan(19.5);
    expect(
      ((await call(getMetrics, { path: 'metrics?minutes=0' })).json as { errors: { field: string }[] }).errors[0]
        ?.field,
    ).toBe('minutes');
  });
});
