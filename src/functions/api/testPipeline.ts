import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { compilePipeline } from '../../core';
import { loadSettings } from '../../settings';
import { apiDeps } from './deps';
import { HttpError, withProblems } from './errors';
import { runPipelineTest } from './runPipelineTest';
import { describe, fieldErrors } from './validate';

export const MAX_TEST_EVENTS = 1000;
export const MAX_TEST_BYTES = 1_000_000;

/** `definition` is checked by the core's parser, as PUT does; `events` here. */
export const pipelineTestSchema = z.object({
  definition: z.looseObject({}).meta({
    description: 'A pipeline definition, as PUT /api/pipelines/{name} takes it (its `name` is optional here).',
  }),
  events: z
    .array(z.unknown())
    .min(1, 'expected at least one event')
    .max(MAX_TEST_EVENTS, `expected at most ${MAX_TEST_EVENTS} events`)
    .meta({
      description:
        'The events, in partition order: an object is an event; a string is a raw body as the hub would carry it (so text that is not JSON is dead-lettered invalid-json).',
    }),
});

let settings: { maxFutureSkewMs: number; minEventTime: number | null } | undefined;

/**
 * Runs a pipeline definition on sample events without storing anything: per-event verdicts and the windows they make,
 * from the same core ingest runs (runPipelineTest.ts). An invalid definition gets the same 400 as PUT, fields named as
 * PUT names them (paths inside the definition).
 */
export async function testPipeline(request: HttpRequest): Promise<HttpResponseInit> {
  const text = await request.text();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEST_BYTES) {
    throw new HttpError(
      413,
      'Content too large',
      `(body): expected at most ${MAX_TEST_BYTES} bytes of JSON; found ${bytes}`,
      [{ field: '(body)', message: `(body): expected at most ${MAX_TEST_BYTES} bytes; found ${bytes}` }],
    );
  }
  if (text.trim() === '')
    throw HttpError.badRequest([
      {
        field: '(body)',
        message: '(body): expected a JSON document { "definition": {...}, "events": [...] }; found an empty body',
      },
    ]);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw HttpError.badRequest([
      {
        field: '(body)',
        message: `(body): expected valid JSON; found ${describe(text)} (${(error as Error).message})`,
      },
    ]);
  }
  const parsed = pipelineTestSchema.safeParse(body);
  if (!parsed.success) {
    throw HttpError.badRequest(fieldErrors(parsed.error, body));
  }
  const deps = apiDeps();
  const definition = parsed.data.definition;
  // As PUT: STREAM_RETENTION_WINDOWS unless the definition says otherwise; a definition without a name is "test".
  const compiled = compilePipeline(
    { retention: deps.defaultRetention, ...definition },
    typeof definition['name'] === 'string' ? undefined : 'test',
  );
  if (!compiled.ok)
    throw HttpError.badRequest(compiled.issues.map((issue) => ({ field: issue.path, message: issue.message })));
  settings ??= loadSettings();
  const result = runPipelineTest(compiled.pipeline, parsed.data.events, {
    now: deps.now(),
    maxFutureSkewMs: settings.maxFutureSkewMs,
    ...(settings.minEventTime === null ? {} : { minEventTime: settings.minEventTime }),
  });
  return { jsonBody: result };
}

// A function key, not the master key: nothing is stored, and every expression runs under the CEL cost meter.
app.http('testPipeline', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'pipelines/test',
  handler: withProblems(testPipeline),
});
