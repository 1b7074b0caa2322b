import { encodeStreamKey } from '../../src/core';
import { listDeadLetters } from '../../src/functions/api/deadLetters';
import { apiDeps, setApiDeps } from '../../src/functions/api/deps';
import { health } from '../../src/functions/api/health';
import { deletePipeline, getPipeline, listPipelines, putPipeline } from '../../src/functions/api/pipelines';
import { listWindowVersions } from '../../src/functions/api/streams';
import { encodeContinuationToken } from '../../src/storage/continuationToken';
import { createStores } from '../../src/storage/createStores';
import type { Stores } from '../../src/storage/types';
import { startTableAzurite, type TableAzurite } from '../storage/startTableAzurite';
import { closedWindowRow } from '../support/closedWindowRow';
import { call, useDeps } from './apiTestKit';

let azurite: TableAzurite;
let stores: Stores;

beforeAll(async () => {
  azurite = await startTableAzurite();
  stores = createStores({ AzureWebJobsStorage: azurite.connectionString }, { tablePrefix: `api${process.pid}` });
  useDeps(stores);
});

afterAll(async () => {
  setApiDeps(undefined);
  await azurite?.stop();
});

describe('API on Table storage (real Azurite)', () => {
  it('health checks storage', async () => {
    expect(await call(health, { path: 'health' })).toMatchObject({
      status: 200,
      json: { checks: { storage: { status: 'ok' } } },
    });
  });

  it('pipelines CRUD round-trips through the Pipelines table', async () => {
    const params = { name: 'temps' };
    const body = { key: 'device', measures: { temp: 'value' }, window: { type: 'tumbling', size: 'PT1M' } };
    expect((await call(putPipeline, { method: 'PUT', path: 'pipelines/temps', params, body })).status).toBe(201);
    const got = await call(getPipeline, { path: 'pipelines/temps', params });
    expect(got.json).toMatchObject({
      name: 'temps',
      etag: expect.any(String),
      definition: { name: 'temps', window: { type: 'tumbling', size: 'PT1M' } },
    });
    expect(
      (
        await call(putPipeline, {
          method: 'PUT',
          path: 'pipelines/temps',
          params,
          body: { ...body, window: { type: 'tumbling', size: 'PT5M' } },
        })
      ).status,
    ).toBe(200);
    expect((await stores.pipelines.get('temps'))?.definition).toMatchObject({
      window: { type: 'tumbling', size: 'PT5M' },
    });
    const list = (await call(listPipelines, { path: 'pipelines' })).json as { items: { name: string }[] };
    expect(list.items.map((p) => p.name)).toEqual(['temps']);
    expect((await call(deletePipeline, { method: 'DELETE', path: 'pipelines/temps', params })).status).toBe(204);
    expect((await call(getPipeline, { path: 'pipelines/temps', params })).status).toBe(404);
  });

  it('dead letters written by ingest are queryable with since/reason and paging', async () => {
    const base = {
      raw: '{"x":',
      detail: 'Unexpected end of JSON input',
      partition: '2',
      recordedAt: '2024-05-01T10:00:00Z',
    };
    await stores.deadLetters.add(
      Array.from({ length: 5 }, (_, i) => ({
        ...base,
        reason: i % 2 ? 'late' : 'invalid-json',
        sequenceNumber: 100 + i,
        enqueuedTime: `2024-05-0${1 + (i % 2)}T09:00:0${i}Z`,
      })),
    );
    const seqs: number[] = [];
    let token: string | undefined;
    do {
      const tokenParam = token ? `&continuationToken=${encodeURIComponent(token)}` : '';
      const page = (
        await call(listDeadLetters, {
          path: `deadletters?since=2024-05-01T00:00:00Z&reason=invalid-json&limit=2${tokenParam}`,
        })
      ).json as {
        items: { sequenceNumber: number }[];
        continuationToken?: string;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seqs.push(...page.items.map((r) => r.sequenceNumber));
      token = page.continuationToken;
    } while (token);
    expect(seqs).toEqual([100, 102, 104]);
    const late = (await call(listDeadLetters, { path: 'deadletters?since=2024-05-02T00:00:00Z' })).json as {
      items: { reason: string; raw: string }[];
    };
    expect(late.items.map((r) => r.reason)).toEqual(['late', 'late']);
    expect(late.items[0]?.raw).toBe('{"x":');
  });

  it("serves a window's versions from WindowVersions once revised, its Windows row alone before, 404 when absent", async () => {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    const key = encodeStreamKey('temps', 'room-t');
    const v1 = closedWindowRow(t0, t0 + 60_000, { events: 2 });
    const v2 = { ...v1, data: { ...v1.data, events: 3, version: 2 } };
    // The entity writes the history only at a window's first revision (v1 then v2); the other window was never revised.
    await stores.windows.upsert(key, [v2, closedWindowRow(t0 + 60_000, t0 + 120_000, { events: 5 })]);
    await stores.windowVersions.put(key, [
      { start: t0, version: 1, data: v1.data },
      { start: t0, version: 2, data: v2.data },
    ]);
    const versions = async (start: number) =>
      call(listWindowVersions, {
        path: `streams/temps/room-t/windows/${start}/versions`,
        params: { pipeline: 'temps', stream: 'room-t', start: String(start) },
      });
    const revised = await versions(t0);
    expect(revised.status).toBe(200);
    const pairs = (json: unknown) =>
      (json as { items: { version: number; data: { events: number } }[] }).items.map((v) => [v.version, v.data.events]);
    expect(pairs(revised.json)).toEqual([
      [1, 2],
      [2, 3],
    ]);
    const unrevised = await versions(t0 + 60_000);
    expect(unrevised.status).toBe(200);
    expect(pairs(unrevised.json)).toEqual([[1, 5]]);
    expect(await versions(t0 + 120_000)).toMatchObject({ status: 404, contentType: 'application/problem+json' });
  });

  it('answers 400 naming continuationToken for a token wrapping what the Table SDK cannot read (it threw: a 500)', async () => {
    const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
    // The dead-letter store wraps the SDK's token in its own cursor ({phase, sdk}): junk at either level is a 400.
    const wrapped = (sdk: string) => encodeContinuationToken(JSON.stringify({ phase: 1, sdk }));
    for (const token of [
      'junk',
      b64('{"nextPartitionKey":'),
      b64('[1]'),
      b64('{"nextRowKey":"r"}'),
      b64('{"nextPartitionKey":"p","nextRowKey":7}'),
    ].flatMap((state) => [encodeContinuationToken(state), wrapped(state)])) {
      const res = await call(listDeadLetters, { path: `deadletters?continuationToken=${token}` });
      expect(res).toMatchObject({ status: 400, contentType: 'application/problem+json' });
      expect((res.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['continuationToken']);
    }
    // A token in the SDK's own shape passes on to the service.
    const resumed = await call(listDeadLetters, {
      path: `deadletters?continuationToken=${wrapped(b64('{"nextPartitionKey":"~"}'))}`,
    });
    expect(resumed.status).toBe(200);
  });

  it('builds its default stores from AzureWebJobsStorage with the core sketch merge, so a metrics row holds one merged sketch', async () => {
    const { DDSketch } = await import('@datadog/sketches-js');
    const { DEFAULT_SKETCH_ACCURACY, encodeSketch } = await import('../../src/core');
    const sketch = (v: number) => {
      const s = new DDSketch({ relativeAccuracy: DEFAULT_SKETCH_ACCURACY });
      s.accept(v);
      return encodeSketch(s, DEFAULT_SKETCH_ACCURACY);
    };
    const saved = process.env['AzureWebJobsStorage'];
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    setApiDeps(undefined);
    try {
      const deps = apiDeps();
      const row = {
        partition: 'p9',
        eventsIn: 1,
        aggregated: 1,
        filtered: 0,
        deadLettered: 0,
        entityOperations: 1,
        processingMs: 1,
      };
      await deps.stores.ingestMetrics.record({ ...row, at: '2024-05-01T10:00:01Z', latencySketch: sketch(10) });
      await deps.stores.ingestMetrics.record({ ...row, at: '2024-05-01T10:00:02Z', latencySketch: sketch(20) });
      const rows = (await deps.stores.ingestMetrics.recent(Date.parse('2024-05-01T10:00:00Z'))).filter(
        (r) => r.partition === 'p9',
      );
      expect(rows.map((r) => r.latencySketches.length)).toEqual([1]);
      expect(deps.defaultRetention).toBe(60);
    } finally {
      if (saved === undefined) delete process.env['AzureWebJobsStorage'];
      else process.env['AzureWebJobsStorage'] = saved;
      useDeps(stores);
    }
  });
});
