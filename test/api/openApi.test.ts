import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { encodeStreamKey } from '../../src/core';
import { listDeadLetters } from '../../src/functions/api/deadLetters';
import { setApiDeps } from '../../src/functions/api/deps';
import { health } from '../../src/functions/api/health';
import { getMetrics } from '../../src/functions/api/metrics';
import { buildOpenApiDocument, getOpenApi, responseSchema, ROUTES } from '../../src/functions/api/openApi';
import { deletePipeline, getPipeline, listPipelines, putPipeline } from '../../src/functions/api/pipelines';
import { acceptAnalysis } from '../../src/functions/api/startAnalysis';
import { getStream, listStreams, listWindows } from '../../src/functions/api/streams';
import { createMemoryStores } from '../../src/storage/createStores';
import { closedWindowRow } from '../support/closedWindowRow';
import { httpRegistrations } from '../support/httpRegistrations';
import { type Call, call, useDeps } from './apiTestKit';
import { openApi31Problems } from './openApi31';

const doc = buildOpenApiDocument();

describe('the OpenAPI document', () => {
  it('lists exactly the routes the app registers, with their methods and key levels', () => {
    const registered = httpRegistrations()
      .flatMap((r) => r.methods.map((m) => `${r.name} ${m} /api/${r.route ?? '?'} ${r.authLevel ?? '?'}`))
      .sort();
    const documented = ROUTES.map((r) => `${r.name} ${r.method} /api/${r.route} ${r.authLevel}`).sort();
    expect(documented).toEqual(registered);
    const operations = Object.entries(
      doc['paths'] as Record<string, Record<string, { operationId: string; 'x-auth-level': string }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops).map(
        ([method, op]) => `${op.operationId} ${method.toUpperCase()} ${path} ${op['x-auth-level']}`,
      ),
    );
    // A catch-all `{*path}` is written `{path}` in OpenAPI path templates.
    expect(operations.sort()).toEqual(registered.map((r) => r.replace('{*', '{')));
  });

  it('is a structurally valid OpenAPI 3.1 document', () => {
    expect(openApi31Problems(doc)).toEqual([]);
  });

  it('gives every route with parameters or a body a 400 problem, and every keyed route a 401', () => {
    for (const route of ROUTES) {
      // A catch-all path (the dashboard's files) accepts any value: nothing to reject.
      if ((route.params && !route.route.includes('{*')) || route.query || route.body)
        expect(`${route.name}: ${route.problems.includes(400)}`).toBe(`${route.name}: true`);
      const op = (doc['paths'] as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
        `/api/${route.route.replace('{*', '{')}`
      ]?.[route.method.toLowerCase()];
      expect(`${route.name}: 401 ${op?.responses['401'] !== undefined}`).toBe(
        `${route.name}: 401 ${route.authLevel !== 'anonymous'}`,
      );
    }
  });

  it("describes the bodies from the handlers' zod schemas", () => {
    const schemas = (
      doc['components'] as {
        schemas: Record<string, { properties: Record<string, { description?: string }>; required?: string[] }>;
      }
    ).schemas;
    expect(Object.keys(schemas['PipelineDefinition']?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'name',
        'key',
        'time',
        'measures',
        'window',
        'lateness',
        'retention',
        'sketchAccuracy',
        'idleTimeout',
      ]),
    );
    expect(schemas['PipelineDefinition']?.properties['lateness']?.description).toMatch(/watermark/);
    expect(schemas['AnalysisRequest']?.required).toEqual(['pipeline', 'from', 'to']);
    expect(JSON.stringify(schemas['AnalysisRequest']?.properties['streams'])).toContain('"prefix"');
  });

  it('is served at GET /api/openapi.json', async () => {
    const res = await call(getOpenApi, { path: 'openapi.json' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(doc);
  });
});

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

describe('handlers answer as the document says', () => {
  const stores = createMemoryStores();
  beforeAll(async () => {
    useDeps(stores);
    await stores.streams.touch([
      { pipeline: 'temps', stream: 'room-1', lastSeen: '2024-05-01T10:00:00Z', events: 120, eventsPerSec: 2 },
    ]);
    await stores.windows.upsert(encodeStreamKey('temps', 'room-1'), [
      closedWindowRow(0, 60_000, { pipeline: 'temps', stream: 'room-1', events: 1 }),
    ]);
    await stores.deadLetters.add([
      {
        raw: 'x',
        detail: 'd',
        partition: '0',
        recordedAt: '2024-05-01T10:00:00Z',
        reason: 'late',
        sequenceNumber: 1,
        enqueuedTime: '2024-05-01T08:00:00Z',
      },
    ]);
  });
  afterAll(() => setApiDeps(undefined));

  // POST /api/analyses without a durable client: the job is accepted and not run.
  const startAnalysis: Handler = (request) => acceptAnalysis(request, { stores, start: async () => 'run-1' });
  const range = { from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00Z' };
  const cases: [string, Handler, Call][] = [
    ['startAnalysis', startAnalysis, { method: 'POST', path: 'analyses', body: { pipeline: 'default', ...range } }],
    ['startAnalysis', startAnalysis, { method: 'POST', path: 'analyses', body: { pipeline: 'unknown', ...range } }],
    [
      'startAnalysis',
      startAnalysis,
      { method: 'POST', path: 'analyses', body: { pipeline: 'default', from: range.to, to: range.from } },
    ],
    ['health', health, { path: 'health' }],
    ['getOpenApi', getOpenApi, { path: 'openapi.json' }],
    [
      'putPipeline',
      putPipeline,
      { method: 'PUT', path: 'pipelines/temps', params: { name: 'temps' }, body: { measures: { t: 'value' } } },
    ],
    [
      'putPipeline',
      putPipeline,
      { method: 'PUT', path: 'pipelines/temps', params: { name: 'temps' }, body: { measures: { t: 'value' } } },
    ],
    [
      'putPipeline',
      putPipeline,
      { method: 'PUT', path: 'pipelines/temps', params: { name: 'temps' }, body: { window: 'weekly' } },
    ],
    ['listPipelines', listPipelines, { path: 'pipelines' }],
    ['getPipeline', getPipeline, { path: 'pipelines/temps', params: { name: 'temps' } }],
    ['getPipeline', getPipeline, { path: 'pipelines/none', params: { name: 'none' } }],
    ['deletePipeline', deletePipeline, { method: 'DELETE', path: 'pipelines/temps', params: { name: 'temps' } }],
    ['deletePipeline', deletePipeline, { method: 'DELETE', path: 'pipelines/temps', params: { name: 'temps' } }],
    ['listStreams', listStreams, { path: 'streams?pipeline=temps' }],
    ['listStreams', listStreams, { path: 'streams?limit=0' }],
    ['getStream', getStream, { path: 'streams/temps/room-1', params: { pipeline: 'temps', stream: 'room-1' } }],
    [
      'listWindows',
      listWindows,
      { path: 'streams/temps/room-1/windows', params: { pipeline: 'temps', stream: 'room-1' } },
    ],
    [
      'listWindows',
      listWindows,
      { path: 'streams/temps/room-1/windows?from=2024&to=1', params: { pipeline: 'temps', stream: 'room-1' } },
    ],
    ['listDeadLetters', listDeadLetters, { path: 'deadletters' }],
    ['listDeadLetters', listDeadLetters, { path: 'deadletters?reason=bogus' }],
    ['getMetrics', getMetrics, { path: 'metrics' }],
    ['getMetrics', getMetrics, { path: 'metrics?minutes=0' }],
  ];

  it.each(cases)('%s: a documented status with a body of the documented shape', async (name, handler, request) => {
    const route = ROUTES.find((r) => r.name === name);
    if (!route) throw new Error(`expected a documented route named ${name}, found none`);
    const res = await call(handler, request);
    const documented = [...Object.keys(route.responses).map(Number), ...route.problems, 500];
    expect(`${name} ${res.status} documented: ${documented.includes(res.status)}`).toBe(
      `${name} ${res.status} documented: true`,
    );
    expect(res.status).not.toBe(500);
    const schema = responseSchema(route, res.status);
    if (schema === undefined) {
      expect(res.json).toBeUndefined();
      return;
    }
    const parsed = schema.safeParse(res.json);
    expect(parsed.success ? 'matches' : `${name} ${res.status}: ${parsed.error.message}`).toBe('matches');
  });
});
