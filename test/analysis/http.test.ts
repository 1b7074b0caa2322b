import { setAnalysisDeps } from '../../src/functions/analysis/deps';
import { getAnalysis } from '../../src/functions/analysis/getAnalysis';
import { listAlerts } from '../../src/functions/analysis/listAlerts';
import { analysisRequestSchema, toJob } from '../../src/functions/analysis/request';
import { startAnalysis } from '../../src/functions/analysis/startAnalysis';
import { call } from '../api/apiTestKit';
import { alert } from './analysisStoresContract';
import { seededDeps } from './fixtures';

afterEach(() => setAnalysisDeps(undefined));

describe('POST /api/analyses validation', () => {
  it('names every bad field, what was expected and what was found', async () => {
    const res = await call(startAnalysis, { method: 'POST', path: 'analyses', body: { from: 'yesterday', to: '2025-01-01T00:00:00Z', analyses: ['magic'], extra: 1 } });
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

  it('rejects an empty range and a non-JSON body', async () => {
    const reversed = await call(startAnalysis, { method: 'POST', path: 'analyses', body: { pipeline: 'p', from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' } });
    expect(reversed.status).toBe(400);
    expect((reversed.json as { detail: string }).detail).toContain('to: expected from earlier than to');
    const garbage = await call(startAnalysis, { method: 'POST', path: 'analyses', body: '{nope' });
    expect(garbage.status).toBe(400);
    expect((garbage.json as { detail: string }).detail).toContain('expected valid JSON');
  });

  it('fills defaults and normalises times', () => {
    const job = toJob(analysisRequestSchema.parse({ pipeline: 'p', from: '2025-01-01T00:00:00', to: '2025-01-01T02:00:00+01:00', streams: { prefix: 'a' } }));
    expect(job).toEqual({ pipeline: 'p', from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T01:00:00.000Z', streams: { prefix: 'a' }, analyses: ['summary', 'anomalies', 'trend', 'forecast'] });
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
    expect((since.json as { items: { windowStart: string }[] }).items.map((a) => a.windowStart)).toEqual(['2025-01-01T12:00:00.000Z', '2025-01-01T13:00:00.000Z']);
    const byStream = await call(listAlerts, { path: 'alerts?stream=other' });
    expect((byStream.json as { items: { stream: string }[] }).items.map((a) => a.stream)).toEqual(['other']);
    const bad = await call(listAlerts, { path: 'alerts?since=soon' });
    expect(bad.status).toBe(400);
    expect((bad.json as { detail: string }).detail).toContain('since: expected an ISO 8601 time or epoch milliseconds; found "soon"');
  });
});
