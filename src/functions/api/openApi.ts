import { app, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { version } from '../../../package.json';
import { pipelineDefinitionSchema } from '../../core/pipelines';
import { MAX_STREAM_KEY_BYTES } from '../../core/streams';
import { analysisRequestSchema, streamList, streamPrefix } from '../analysis/request';
import { replayRequestSchema } from '../replay/replayDeadLetters';
import { query as deadLettersQuery } from './deadLetters';
import { params as deleteStreamParams } from './deleteStream';
import { problemSchema, withProblems } from './errors';
import { params as analysisIdParams } from './getAnalysis';
import { query as listAlertsQuery } from './listAlerts';
import { query as listAnalysesQuery } from './listAnalyses';
import { query as metricsQuery } from './metrics';
import { seriesQuery } from './metricsSeries';
import { nameParams } from './pipelines';
import { listQuery as listStreamsQuery, streamParams, versionsParams, windowsQuery } from './streams';
import { MAX_TEST_BYTES, pipelineTestSchema } from './testPipeline';
import { pageQuery } from './validate';

/**
 * The HTTP API as an OpenAPI 3.1 document, built from the zod schemas the handlers validate with (so a changed
 * parameter or body changes the document). The table below lists every app.http registration; test/api/openApi.test.ts
 * compares it with the registrations in the code, so a route cannot be left out. Served at GET /api/openapi.json.
 */

export type AuthLevel = 'anonymous' | 'function' | 'admin';
type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

interface ResponseDoc {
  description: string;
  /** A zod schema (converted) or the name of a component schema. */
  schema?: z.ZodType | string;
  headers?: Record<string, string>;
}

/** One app.http registration. */
export interface RouteDoc {
  /** The app.http name; the operationId. */
  name: string;
  method: Method;
  /** The route as registered (under the host's `api/` prefix). */
  route: string;
  authLevel: AuthLevel;
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Name of a component schema. */
  body?: string;
  responses: Record<number, ResponseDoc>;
  /** Problem responses (application/problem+json) besides the 500 every route can give. */
  problems: number[];
}

/** Descriptions of parameters by name (a parameter's schema comes from the handler's zod schema). */
const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  name: 'Pipeline name.',
  pipeline: 'Pipeline name.',
  stream: `Stream key: non-empty well-formed Unicode of at most ${MAX_STREAM_KEY_BYTES} UTF-8 bytes. In a path, percent-encode it once.`,
  id: 'Analysis id, as returned by POST /api/analyses.',
  since: 'ISO 8601 time or epoch milliseconds: only records at or after it.',
  from: 'ISO 8601 time or epoch milliseconds: windows starting at or after it.',
  to: 'ISO 8601 time or epoch milliseconds: windows starting before it (at or after `from`).',
  start: 'The window start, ISO 8601 time or epoch milliseconds.',
  limit: 'Page size, 1 to 1000 (default 100). A page may hold fewer items and still have a continuationToken.',
  continuationToken: "The previous page's continuationToken.",
  reason: 'Only dead letters of this reason.',
  prefix: 'Only streams whose key starts with this.',
  minutes: 'Minutes back from now to summarize, 1 to 1440.',
  path: 'A file of the dashboard (assets/...); empty or anything else: the page.',
  status: 'Comma-separated runtime statuses to list (e.g. Running,Completed); all when absent.',
};

const page = (item: z.ZodType) =>
  z.object({
    items: z.array(item),
    continuationToken: z
      .string()
      .optional()
      .meta({ description: 'Pass it back for the next page; absent on the last page.' }),
  });

// Response shapes the handlers return (documentation: the stores' and core's types are TypeScript interfaces).
const streamCatalogEntry = z.object({
  pipeline: z.string(),
  stream: z.string(),
  lastSeen: z.string(),
  events: z.number(),
  eventsPerSec: z.number(),
});
const windowRecord = z.object({
  start: z.number().meta({ description: 'Window start, epoch ms.' }),
  end: z.number().meta({ description: 'Window end, epoch ms.' }),
  version: z
    .number()
    .meta({ description: 'The latest version: 1 when first closed, n+1 per revision (`corrections`).' }),
  data: z.looseObject({}).meta({
    description:
      'The closed window: events, measures (sum, min, max, mean, percentiles), aggregates (each {kind, ...result, data}: distinct {estimate, standardError}; topK {total, items: [{value, count, maxError, share}]}) and how it was closed (closedBy watermark, retention, idle, or superseded with supersededBy: the start of the session that absorbed it).',
  }),
});
const windowVersionRecord = z.object({
  start: z.number().meta({ description: 'Window start, epoch ms.' }),
  version: z.number().meta({ description: '1 when first closed, n+1 per revision.' }),
  data: z.looseObject({}).meta({
    description:
      'The window as of this version (as in listWindows); versions after the first carry `revision`: events and each measure before -> after, and the partition and first and last sequence number of the late events that caused it.',
  }),
});
const deadLetterRecord = z.object({
  raw: z.string(),
  reason: z.string(),
  detail: z.string(),
  partition: z.string(),
  sequenceNumber: z.number(),
  enqueuedTime: z.string(),
  recordedAt: z.string(),
  pipeline: z.string().optional(),
  pipelineVersion: z.number().optional().meta({
    description: 'The version of the pipeline that dead-lettered it (records from before versions have none).',
  }),
  stream: z.string().optional(),
  rawTruncated: z.boolean().optional(),
  replay: z
    .object({ at: z.string(), id: z.string(), fix: z.array(z.looseObject({})).optional() })
    .optional()
    .meta({ description: 'The latest replay of it: when, which replay call, the fix applied.' }),
});
const replayAnswer = z.looseObject({
  replayId: z.string(),
  dryRun: z.boolean(),
  selected: z.number(),
  sent: z.number(),
  alreadyApplied: z
    .number()
    .meta({ description: 'Already replayed and counted once (the replay ledger holds them): not sent again.' }),
  skippedStorage: z.number(),
  fixFailed: z.array(z.looseObject({ partition: z.string(), sequenceNumber: z.number(), error: z.string() })),
  items: z.array(
    z.looseObject({
      partition: z.string(),
      sequenceNumber: z.number(),
      reason: z.string(),
      body: z.string(),
      outcome: z.array(z.looseObject({ pipeline: z.string(), outcome: z.string() })).optional(),
    }),
  ),
});
const storedPipeline = z.object({
  name: z.string(),
  definition: z
    .looseObject({})
    .meta({ description: 'The validated definition with defaults filled in (a PipelineDefinition).' }),
  updatedAt: z.string(),
  version: z.number().meta({ description: '1 for the first PUT, +1 for each PUT after it.' }),
  etag: z.string().optional(),
});
const pipelineVersion = z.object({
  name: z.string(),
  version: z.number(),
  definition: z.looseObject({}).meta({ description: 'The definition as that PUT stored it.' }),
  updatedAt: z.string(),
});
const analysisStatus = z.object({
  id: z.string(),
  runtimeStatus: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
  progress: z.unknown().meta({ description: 'Progress the orchestration reports, or null.' }),
});
const health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  checks: z.object({
    storage: z.object({ status: z.enum(['ok', 'failed']), latencyMs: z.number(), detail: z.string().optional() }),
  }),
});
/** Component schemas, referenced by name. */
export const SCHEMAS: Record<string, z.ZodType> = {
  Problem: problemSchema,
  Health: health,
  PipelineDefinition: pipelineDefinitionSchema,
  AnalysisRequest: analysisRequestSchema,
  ReplayRequest: replayRequestSchema,
  PipelineTest: pipelineTestSchema,
};

const jsonOptions = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;

/** JSON Schema of a zod schema, without `$schema` (the document's dialect is 2020-12 already). */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    ...jsonOptions,
    // `streams` is chosen by shape in code (z.unknown().transform, to keep its errors precise); describe both shapes.
    override: (ctx) => {
      if (ctx.zodSchema === analysisRequestSchema.shape.streams.unwrap()) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, {
          description:
            'Stream names, or { "prefix": "..." } for every catalogued stream of the pipeline with that prefix. Default: every catalogued stream.',
          anyOf: [strip(z.toJSONSchema(streamList, jsonOptions)), strip(z.toJSONSchema(streamPrefix, jsonOptions))],
        });
      }
    },
  }) as Record<string, unknown>;
  return rest;
}

function strip(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

const STREAM_NOTE =
  'On Azure a path segment cannot hold an encoded "/"; the `stream` routes take the names in the query instead.';

export const ROUTES: readonly RouteDoc[] = [
  {
    name: 'health',
    method: 'GET',
    route: 'health',
    authLevel: 'anonymous',
    tag: 'Operations',
    summary: 'Liveness and a storage round trip',
    description: 'One storage check answers every call for 5 s. 503 when storage does not answer.',
    responses: {
      200: { description: 'Healthy.', schema: 'Health' },
      503: { description: 'Storage did not answer (status "degraded").', schema: 'Health' },
    },
    problems: [],
  },
  {
    name: 'getOpenApi',
    method: 'GET',
    route: 'openapi.json',
    authLevel: 'anonymous',
    tag: 'Operations',
    summary: 'This document',
    responses: {
      200: { description: 'The OpenAPI 3.1 document of the HTTP API.', schema: z.looseObject({ openapi: z.string() }) },
    },
    problems: [],
  },
  {
    name: 'getMetrics',
    method: 'GET',
    route: 'metrics',
    authLevel: 'function',
    tag: 'Operations',
    summary: 'Ingest rates, latency and entity operations per 1,000 events',
    query: metricsQuery,
    responses: {
      200: {
        description:
          'Global ingest figures over the last `minutes` (from the minute boundary at or before now - minutes).',
        schema: z.looseObject({
          from: z.string(),
          until: z.string(),
          events: z.number(),
          eventsPerSec: z.number(),
          entityOperationsPer1000Events: z.number().nullable(),
          duplicatesSuppressed: z
            .number()
            .meta({ description: 'Redelivered partials the stream entities recognised and did not count again.' }),
          revisions: z.number().meta({
            description:
              "Window revisions written (late events within `corrections` made a closed window's next version).",
          }),
          revisionsByPipeline: z
            .record(z.string(), z.number())
            .meta({ description: 'Of `revisions`, per pipeline (pipelines with none are absent).' }),
        }),
      },
    },
    problems: [400],
  },
  {
    name: 'getMetricsSeries',
    method: 'GET',
    route: 'metrics/series',
    authLevel: 'function',
    tag: 'Operations',
    summary: 'Per-minute ingest figures (rates, outcomes, latency, entity operations) for charts',
    description:
      'One point per minute of the last `minutes` (default 60), oldest first, zeros where nothing was recorded; each point agrees with GET /api/metrics over that minute.',
    query: seriesQuery,
    responses: {
      200: {
        description: 'The series.',
        schema: z.object({
          from: z.string(),
          until: z.string(),
          points: z.array(
            z.object({
              minute: z.string(),
              events: z.number(),
              eventsPerSec: z.number(),
              processingRate: z.number().nullable(),
              aggregated: z.number(),
              filtered: z.number(),
              deadLettered: z.number(),
              retried: z.number(),
              entityOperations: z.number(),
              entityOperationsPer1000Events: z.number().nullable(),
              latencyP50: z.number().nullable().meta({ description: 'Enqueued-to-processed latency, ms.' }),
              latencyP99: z.number().nullable(),
              partitions: z.number(),
              byPipeline: z
                .record(
                  z.string(),
                  z.object({ aggregated: z.number(), filtered: z.number(), deadLettered: z.number() }),
                )
                .meta({ description: "Each pipeline's outcomes in the minute (a delivery is an event x pipeline)." }),
              byReason: z
                .record(z.string(), z.number())
                .meta({ description: 'Dead letters per reason in the minute.' }),
            }),
          ),
        }),
      },
    },
    problems: [400],
  },
  {
    name: 'dashboard',
    method: 'GET',
    route: 'dashboard/{*path}',
    authLevel: 'anonymous',
    params: z.object({ path: z.string() }),
    tag: 'Operations',
    summary: 'The web dashboard (static files; its API calls carry the key the user enters)',
    description:
      'Open /api/dashboard/. Assets under assets/ have content-hashed names and are cached for a year; any other path is the page. 503 before `npm run build`.',
    responses: {
      200: { description: 'The page (text/html) or an asset (JavaScript, CSS).' },
      503: { description: 'The dashboard was not built.' },
    },
    problems: [],
  },
  {
    name: 'listPipelines',
    method: 'GET',
    route: 'pipelines',
    authLevel: 'function',
    tag: 'Pipelines',
    summary: 'Stored pipelines',
    responses: { 200: { description: 'Every stored pipeline.', schema: z.object({ items: z.array(storedPipeline) }) } },
    problems: [],
  },
  {
    name: 'getPipeline',
    method: 'GET',
    route: 'pipelines/{name}',
    authLevel: 'function',
    tag: 'Pipelines',
    summary: 'One stored pipeline',
    params: nameParams,
    responses: { 200: { description: 'The pipeline.', schema: storedPipeline } },
    problems: [400, 404],
  },
  {
    name: 'putPipeline',
    method: 'PUT',
    route: 'pipelines/{name}',
    authLevel: 'admin',
    tag: 'Pipelines',
    summary: 'Create or replace a pipeline',
    description:
      'Ingest re-reads definitions every PIPELINE_REFRESH_SECONDS (default 10). A body without `retention` gets STREAM_RETENTION_WINDOWS.',
    params: nameParams,
    body: 'PipelineDefinition',
    responses: {
      200: { description: 'Replaced.', schema: storedPipeline },
      201: { description: 'Created.', schema: storedPipeline },
    },
    problems: [400],
  },
  {
    name: 'listPipelineVersions',
    method: 'GET',
    route: 'pipelines/{name}/versions',
    authLevel: 'function',
    tag: 'Pipelines',
    summary: "A pipeline's numbered definitions",
    description:
      'Every PUT stores its definition as the next version; the highest is the current one. Windows and dead letters name the version that produced them.',
    params: nameParams,
    responses: {
      200: { description: 'Every version, ascending.', schema: z.object({ items: z.array(pipelineVersion) }) },
    },
    problems: [400, 404],
  },
  {
    name: 'testPipeline',
    method: 'POST',
    route: 'pipelines/test',
    authLevel: 'function',
    tag: 'Pipelines',
    summary:
      'Run a pipeline definition on sample events without saving it: per-event verdicts and the windows they make',
    description:
      `Runs the core exactly as ingest does, as one batch of one partition from empty state, every event enqueued now. Nothing is stored. ` +
      `At most ${MAX_TEST_BYTES} bytes. An invalid definition gets the same 400 as PUT (fields are paths inside \`definition\`). A function key suffices: it writes nothing.`,
    body: 'PipelineTest',
    responses: {
      200: {
        description:
          'One verdict per event (outcome unmatched, filtered, deadLettered or aggregated), the windows per stream, and the outcome counts.',
        schema: z.looseObject({
          pipeline: z.string(),
          enqueuedTime: z.string(),
          verdicts: z.array(z.looseObject({ index: z.number(), outcome: z.string() })),
          streams: z.array(z.looseObject({})),
          counts: z.looseObject({}),
        }),
      },
    },
    problems: [400, 413],
  },
  {
    name: 'deletePipeline',
    method: 'DELETE',
    route: 'pipelines/{name}',
    authLevel: 'admin',
    tag: 'Pipelines',
    summary: 'Delete a pipeline definition (its windows stay until retention purges them)',
    params: nameParams,
    responses: { 204: { description: 'Deleted.' } },
    problems: [400, 404],
  },
  {
    name: 'listStreams',
    method: 'GET',
    route: 'streams',
    authLevel: 'function',
    tag: 'Streams',
    summary: 'The stream catalog: last seen time, event total and rate per stream',
    query: listStreamsQuery,
    responses: { 200: { description: 'A page of streams.', schema: page(streamCatalogEntry) } },
    problems: [400],
  },
  {
    name: 'getStream',
    method: 'GET',
    route: 'streams/{pipeline}/{stream}',
    authLevel: 'function',
    tag: 'Streams',
    summary: "Live state from the stream's entity (pending partials merged)",
    description: STREAM_NOTE,
    params: streamParams,
    responses: {
      200: {
        description:
          'The live view: totals, aggregateTotals and open windows (each with its aggregates and their error bounds), watermark, latency.',
        schema: z.looseObject({}),
      },
    },
    problems: [400, 404],
  },
  {
    name: 'listWindows',
    method: 'GET',
    route: 'streams/{pipeline}/{stream}/windows',
    authLevel: 'function',
    tag: 'Streams',
    summary: 'Closed windows whose start is in [from, to), oldest first',
    description: STREAM_NOTE,
    params: streamParams,
    query: windowsQuery,
    responses: { 200: { description: 'A page of closed windows.', schema: page(windowRecord) } },
    problems: [400],
  },
  {
    name: 'listWindowVersions',
    method: 'GET',
    route: 'streams/{pipeline}/{stream}/windows/{start}/versions',
    authLevel: 'function',
    tag: 'Streams',
    summary: 'Every version of one closed window, oldest first (revisions by late events within `corrections`)',
    description: `A window never revised answers its one version (version 1, its Windows row): the history is written from its first revision on. 404 only when the window does not exist. ${STREAM_NOTE}`,
    params: versionsParams,
    query: z.object(pageQuery),
    responses: { 200: { description: 'A page of window versions.', schema: page(windowVersionRecord) } },
    problems: [400, 404],
  },
  {
    name: 'getStreamByQuery',
    method: 'GET',
    route: 'stream',
    authLevel: 'function',
    tag: 'Streams',
    summary: 'getStream with the names in the query (any stream key, also on Azure)',
    query: streamParams,
    responses: { 200: { description: 'The live view.', schema: z.looseObject({}) } },
    problems: [400, 404],
  },
  {
    name: 'listWindowsByQuery',
    method: 'GET',
    route: 'stream/windows',
    authLevel: 'function',
    tag: 'Streams',
    summary: 'listWindows with the names in the query (any stream key, also on Azure)',
    query: streamParams.extend(windowsQuery.shape),
    responses: { 200: { description: 'A page of closed windows.', schema: page(windowRecord) } },
    problems: [400],
  },
  {
    name: 'deleteStream',
    method: 'DELETE',
    route: 'streams/{pipeline}/{stream}',
    authLevel: 'admin',
    tag: 'Streams',
    summary: 'Erase a stream: live state, closed windows, dead letters, catalog and idle-index rows',
    description:
      'Idempotent; 202 because the entity erases its part asynchronously. `complete: false` asks for another DELETE.',
    params: deleteStreamParams,
    responses: {
      202: {
        description: 'Accepted.',
        schema: z.object({
          pipeline: z.string(),
          stream: z.string(),
          deleted: z.object({ windows: z.number(), deadLetters: z.number(), catalog: z.boolean() }),
          complete: z.boolean(),
        }),
      },
    },
    problems: [400],
  },
  {
    name: 'listDeadLetters',
    method: 'GET',
    route: 'deadletters',
    authLevel: 'function',
    tag: 'Dead letters',
    summary: 'Dead letters, oldest first',
    query: deadLettersQuery,
    responses: {
      200: {
        description: 'A page of dead letters (raw body, reason, detail, where it came from).',
        schema: page(deadLetterRecord),
      },
    },
    problems: [400],
  },
  {
    name: 'replayDeadLetters',
    method: 'POST',
    route: 'deadletters/replay',
    authLevel: 'admin',
    tag: 'Dead letters',
    summary: 'Re-send dead letters to the events hub, optionally fixed by a JSON Patch; each counts once',
    description:
      'Only the pipeline that dead-lettered an event takes its replay; the replay ledger makes a second replay of the same dead letter count nothing. `dryRun` sends nothing and predicts each outcome with the core. See docs/how-to/dead-letters.md.',
    body: 'ReplayRequest',
    responses: { 200: { description: 'What was sent (or would be).', schema: replayAnswer } },
    problems: [400],
  },
  {
    name: 'startAnalysis',
    method: 'POST',
    route: 'analyses',
    authLevel: 'admin',
    tag: 'Analysis',
    summary: 'Start an analysis of a pipeline’s streams over a time range',
    description:
      'An empty body (or `{}`) analyses every stored pipeline (the built-in `default` when none is stored) over the last hour: one run per pipeline, each listed in `started`; `id` and the Location header are the first run.',
    body: 'AnalysisRequest',
    responses: {
      202: {
        description: 'Started; poll statusQueryGetUri (the Location header) with a function key.',
        schema: z.object({
          id: z.string(),
          statusQueryGetUri: z.string(),
          started: z
            .array(z.object({ pipeline: z.string(), id: z.string(), statusQueryGetUri: z.string() }))
            .optional(),
        }),
        headers: {
          Location: 'The status URL (GET /api/analyses/{id}).',
          'Retry-After': 'Seconds to wait before polling.',
        },
      },
    },
    problems: [400, 404],
  },
  {
    name: 'listAnalyses',
    method: 'GET',
    route: 'analyses',
    authLevel: 'function',
    tag: 'Analysis',
    summary: 'Analysis runs, newest first',
    query: listAnalysesQuery,
    responses: { 200: { description: 'The runs.', schema: z.object({ items: z.array(analysisStatus) }) } },
    problems: [400],
  },
  {
    name: 'getAnalysis',
    method: 'GET',
    route: 'analyses/{id}',
    authLevel: 'function',
    tag: 'Analysis',
    summary: 'Status, progress and, once completed, the report',
    params: analysisIdParams,
    responses: {
      200: {
        description: 'The run; `report` once Completed, `error` when Failed.',
        schema: analysisStatus.extend({ report: z.looseObject({}).optional(), error: z.unknown().optional() }),
      },
    },
    problems: [400, 404],
  },
  {
    name: 'listAlerts',
    method: 'GET',
    route: 'alerts',
    authLevel: 'function',
    tag: 'Analysis',
    summary: 'Raised alerts, oldest window first',
    query: listAlertsQuery,
    responses: { 200: { description: 'A page of alerts.', schema: page(z.looseObject({})) } },
    problems: [400],
  },
];

/** The zod schema of a route's documented response body for `status` (problems: the problem schema); undefined when it has none. */
export function responseSchema(route: RouteDoc, status: number): z.ZodType | undefined {
  if (route.problems.includes(status) || status === 500) return problemSchema;
  const schema = route.responses[status]?.schema;
  return typeof schema === 'string' ? SCHEMAS[schema] : schema;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `errors` names each field, what was expected and what was found.',
  404: 'Not found.',
  413: 'The body is larger than the route accepts.',
  500: 'Unexpected failure; `detail` quotes the invocation id (nothing else leaks).',
};

const SECURITY: Record<AuthLevel, Record<string, string[]>[]> = {
  anonymous: [],
  function: [{ functionKey: [] }, { masterKey: [] }],
  admin: [{ masterKey: [] }],
};

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, propertySchema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(PARAMETER_DESCRIPTIONS[name] ? { description: PARAMETER_DESCRIPTIONS[name] } : {}),
    schema: propertySchema,
  }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function operation(route: RouteDoc): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const content =
      r.schema === undefined
        ? undefined
        : { 'application/json': { schema: typeof r.schema === 'string' ? ref(r.schema) : jsonSchema(r.schema) } };
    const headers =
      r.headers &&
      Object.fromEntries(
        Object.entries(r.headers).map(([h, description]) => [h, { description, schema: { type: 'string' } }]),
      );
    responses[status] = {
      description: r.description,
      ...(headers ? { headers } : {}),
      ...(content ? { content } : {}),
    };
  }
  if (route.authLevel !== 'anonymous') {
    responses['401'] = {
      description:
        route.authLevel === 'admin'
          ? 'No master key: the Functions host refuses the request (a function key is not enough).'
          : 'No function key or master key: the Functions host refuses the request.',
    };
  }
  for (const status of [...route.problems, 500]) {
    responses[String(status)] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem.',
      content: { 'application/problem+json': { schema: ref('Problem') } },
    };
  }
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  return {
    operationId: route.name,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    'x-auth-level': route.authLevel,
    security: SECURITY[route.authLevel],
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body) } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document; paths are absolute (`/api/...`), as the host serves them. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  // A catch-all `{*path}` is an ordinary `{path}` in OpenAPI's path templates.
  for (const route of ROUTES)
    (paths[`/api/${route.route.replace('{*', '{')}`] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Streamfold HTTP API',
      version,
      description:
        'Pipelines, live and closed stream windows, dead letters, ingest metrics and analyses. Keys: send a function key (reads) or the ' +
        'master key (writes) in the x-functions-key header (or the `code` query parameter). Errors are application/problem+json (RFC 9457).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, jsonSchema(schema)])),
      securitySchemes: {
        functionKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-functions-key',
          description: 'A function key (or the master key); also accepted as the `code` query parameter.',
        },
        masterKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-functions-key',
          description: "The host's master key; also accepted as the `code` query parameter.",
        },
      },
    },
  };
}

let built: Record<string, unknown> | undefined;

/** GET /api/openapi.json. Anonymous: the document reveals no secret, and clients fetch it before they hold a key. */
export async function getOpenApi(): Promise<HttpResponseInit> {
  built ??= buildOpenApiDocument();
  return { jsonBody: built, headers: { 'Cache-Control': 'public, max-age=300' } };
}

app.http('getOpenApi', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'openapi.json',
  handler: withProblems(getOpenApi),
});
