import { setAnalysisDeps } from '../../src/functions/analysis/deps';
import {
  type AnalysisJob,
  analysisRequestSchema,
  MAX_LISTED_STREAMS,
  toJob,
} from '../../src/functions/analysis/request';
import { getAnalysis } from '../../src/functions/api/getAnalysis';
import { listAlerts } from '../../src/functions/api/listAlerts';
import { acceptAnalysis } from '../../src/functions/api/startAnalysis';
import { createMemoryStores } from '../../src/storage/createStores';
import { call } from '../api/apiTestKit';
import { alert } from '../storage/reportAlertContract';
import { seededDeps } from './fixtures';

afterEach(() => setAnalysisDeps(undefined));

/** POST /api/analyses on memory stores; `started` records the jobs the durable client would have started. */
function analyses() {
  const stores = createMemoryStores();
  const started: AnalysisJob[] = [];
  const handler = (request: Parameters<typeof acceptAnalysis>[0]) =>
    acceptAnalysis(request, { stores, start: async (job) => (started.push(job), `run-${started.length}`) });
  const post = (body: unknown) => call(handler, { method: 'POST', path: 'analyses', body });
  return { stores, started, post };
}

const range = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00Z' };
const fieldsOf = (json: unknown) => (json as { errors: { field: string }[] }).errors.map((e) => e.field);

describe('POST /api/analyses validation', () => {
  it('names every bad field, what was expected and what was found', async () => {
    const res = await analyses().post({ from: 'yesterday', to: '2025-01-01T00:00:00Z', analyses: ['magic'], extra: 1 });
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/problem+json');
    const detail = (res.json as { detail: string }).detail;
    expect(detail).toContain('pipeline: expected a pipeline name');
    expect(detail).toContain('from: expected from as an ISO 8601 time');
    expect(detail).toContain('found "yesterday"');
    expect(detail).toContain('Unrecognized key: "extra"');
    expect(detail).toContain('analyses.0: expected analyses among summary, anomalies, trend, forecast; found "magic"');
  });

  it('GET /api/analyses/{id} refuses an id that could leave the durable instances/{id} URL before any durable call', async () => {
    for (const id of ['../../entities/stream/x', 'x?showHistory=true', 'a/b', 'a b', '..']) {
      const res = await call(getAnalysis, { path: `analyses/${encodeURIComponent(id)}`, params: { id } });
      expect([id, res.status, (res.json as { errors: { message: string }[] }).errors[0]?.message]).toEqual([
        id,
        400,
        `id: expected an analysis id of letters, digits, "-" and "_"; found ${JSON.stringify(id)}`,
      ]);
    }
  });

  it('with an empty body analyses every stored pipeline (or the default) over the last hour', async () => {
    const now = Date.parse('2025-01-01T10:30:00Z');
    const stores = createMemoryStores();
    const started: AnalysisJob[] = [];
    const handler = (request: Parameters<typeof acceptAnalysis>[0]) =>
      acceptAnalysis(request, {
        stores,
        now: () => now,
        start: async (job) => (started.push(job), `run-${started.length}`),
      });
    const none = await call(handler, { method: 'POST', path: 'analyses', body: '' });
    expect(none.status).toBe(202);
    expect(started).toEqual([
      {
        pipeline: 'default',
        from: '2025-01-01T09:30:00.000Z',
        to: '2025-01-01T10:30:00.000Z',
        analyses: ['summary', 'anomalies', 'trend', 'forecast'],
      },
    ]);
    await stores.pipelines.put('a', { name: 'a', key: 'stream', measures: { value: 'value' } } as never);
    await stores.pipelines.put('b', { name: 'b', key: 'stream', measures: { value: 'value' } } as never);
    const two = await call(handler, { method: 'POST', path: 'analyses', body: {} });
    expect(two.status).toBe(202);
    expect((two.json as { started: { pipeline: string; id: string }[] }).started).toEqual([
      { pipeline: 'a', id: 'run-2', statusQueryGetUri: 'http://localhost:7071/api/analyses/run-2' },
      { pipeline: 'b', id: 'run-3', statusQueryGetUri: 'http://localhost:7071/api/analyses/run-3' },
    ]);
    expect(started.slice(1).map((j) => j.pipeline)).toEqual(['a', 'b']);
  });

  it('rejects an empty range and a non-JSON body', async () => {
    const { post } = analyses();
    const reversed = await post({ pipeline: 'p', from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' });
    expect(reversed.status).toBe(400);
    expect((reversed.json as { detail: string }).detail).toContain('to: expected from earlier than to');
    const garbage = await post('{nope');
    expect(garbage.status).toBe(400);
    expect((garbage.json as { detail: string }).detail).toContain('expected valid JSON');
  });

  it("answers 202 with its own status route, never the durable extension's URLs or any key", async () => {
    const { started, post } = analyses();
    const res = await post({ pipeline: 'default', ...range });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: 'run-1', statusQueryGetUri: 'http://localhost:7071/api/analyses/run-1' });
    expect(JSON.stringify(res.json)).not.toMatch(
      /code=|systemKey|runtime\/webhooks|taskHub|sendEventPostUri|terminatePostUri/,
    );
    expect(started).toEqual([
      {
        pipeline: 'default',
        from: '2025-01-01T00:00:00.000Z',
        to: '2025-01-01T01:00:00.000Z',
        analyses: ['summary', 'anomalies', 'trend', 'forecast'],
      },
    ]);
  });

  it('checks the pipeline: a valid name, and stored, built in or with catalogued streams', async () => {
    const { stores, started, post } = analyses();
    const invalid = await post({ pipeline: 'a/../b', ...range });
    expect(invalid.status).toBe(400);
    expect(fieldsOf(invalid.json)).toEqual(['pipeline']);
    const unknown = await post({ pipeline: 'nope', ...range });
    expect(unknown).toMatchObject({ status: 404, contentType: 'application/problem+json' });
    expect((unknown.json as { errors: { field: string; message: string }[] }).errors).toEqual([
      {
        field: 'pipeline',
        message: 'pipeline: expected a stored pipeline, "default" or a pipeline with catalogued streams; found "nope"',
      },
    ]);
    expect(started).toEqual([]);
    await stores.pipelines.put('temps', {
      name: 'temps',
      key: 'stream',
      time: 'time',
      measures: { value: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT30S',
      retention: 60,
      sketchAccuracy: 0.01,
      idleTimeout: 'PT2M',
    });
    await stores.streams.touch([
      { pipeline: 'deleted', stream: 's', lastSeen: '2025-01-01T00:00:00Z', events: 1, eventsPerSec: 1 },
    ]);
    for (const pipeline of ['temps', 'deleted', 'default'])
      expect((await post({ pipeline, ...range })).status).toBe(202);
    expect(started.map((j) => j.pipeline)).toEqual(['temps', 'deleted', 'default']);
  });

  it(`bounds the listed streams at ${MAX_LISTED_STREAMS} and checks each name, naming the field`, async () => {
    const { started, post } = analyses();
    const many = await post({
      pipeline: 'default',
      ...range,
      streams: Array.from({ length: 100_000 }, (_, i) => `s${i}`),
    });
    expect(many.status).toBe(400);
    expect((many.json as { errors: { field: string; message: string }[] }).errors).toEqual([
      {
        field: 'streams',
        message: expect.stringMatching(
          /^streams: expected at most 1000 streams \(use \{ "prefix": "\.\.\." \} for more\); found \["s0"/,
        ),
      },
    ]);
    const bad = await post({ pipeline: 'default', ...range, streams: ['ok', '', 'x'.repeat(300)] });
    expect(fieldsOf(bad.json)).toEqual(['streams.1', 'streams.2']);
    const neither = await post({ pipeline: 'default', ...range, streams: 5 });
    expect((neither.json as { errors: { message: string }[] }).errors).toEqual([
      { field: 'streams', message: 'streams: expected an array of stream names or { "prefix": "..." }; found 5' },
    ]);
    expect(
      (
        await post({
          pipeline: 'default',
          ...range,
          streams: Array.from({ length: MAX_LISTED_STREAMS }, (_, i) => `s${i}`),
        })
      ).status,
    ).toBe(202);
    expect(started).toHaveLength(1);
  });

  it('fills defaults and normalises times', () => {
    const job = toJob(
      analysisRequestSchema.parse({
        pipeline: 'p',
        from: '2025-01-01T00:00:00',
        to: '2025-01-01T02:00:00+01:00',
        streams: { prefix: 'a' },
      }),
    );
    expect(job).toEqual({
      pipeline: 'p',
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-01-01T01:00:00.000Z',
      streams: { prefix: 'a' },
      analyses: ['summary', 'anomalies', 'trend', 'forecast'],
    });
  });
});

describe('GET /api/alerts', () => {
  it('lists stored alerts filtered by since and stream', async () => {
    const deps = await seededDeps('p', [], 1);
    await deps.alerts.insertNew([
      alert({ windowStart: '2025-01-01T10:00:00.000Z' }),
      alert({ windowStart: '2025-01-01T12:00:00.000Z', stream: 'other' }),
      alert({ windowStart: '2025-01-01T13:00:00.000Z' }),
    ]);
    setAnalysisDeps(deps);
    const since = await call(listAlerts, { path: 'alerts?since=2025-01-01T11:00:00Z' });
    expect(since.status).toBe(200);
    expect((since.json as { items: { windowStart: string }[] }).items.map((a) => a.windowStart)).toEqual([
      '2025-01-01T12:00:00.000Z',
      '2025-01-01T13:00:00.000Z',
    ]);
    const byStream = await call(listAlerts, { path: 'alerts?stream=other' });
    expect((byStream.json as { items: { stream: string }[] }).items.map((a) => a.stream)).toEqual(['other']);
    const bad = await call(listAlerts, { path: 'alerts?since=soon' });
    expect(bad.status).toBe(400);
    expect((bad.json as { detail: string }).detail).toContain(
      'since: expected an ISO 8601 time or epoch milliseconds; found "soon"',
    );
  });
});
