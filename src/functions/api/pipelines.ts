import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { parsePipeline } from '../../core';
import { apiDeps } from './deps';
import { HttpError, withProblems } from './errors';
import { parseParams, readJson } from './validate';

// Ingest caches definitions for PIPELINE_REFRESH_SECONDS (default 10), so a change reaches it within that time.

export const nameParams = z.object({ name: z.string().min(1, 'expected a pipeline name') });

export async function listPipelines(): Promise<HttpResponseInit> {
  return { jsonBody: { items: await apiDeps().stores.pipelines.list() } };
}

export async function getPipeline(request: HttpRequest): Promise<HttpResponseInit> {
  const { name } = parseParams(request, nameParams);
  const pipeline = await apiDeps().stores.pipelines.get(name);
  if (!pipeline) throw HttpError.notFound(`No pipeline named ${JSON.stringify(name)}.`);
  return { jsonBody: pipeline };
}

/** Validates with the core's parsePipeline; the route names the pipeline, and a `name` in the body must match it. */
export async function putPipeline(request: HttpRequest): Promise<HttpResponseInit> {
  const { name } = parseParams(request, nameParams);
  const body = await readJson(request);
  // STREAM_RETENTION_WINDOWS is the retention unless the body says otherwise.
  const input =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? { retention: apiDeps().defaultRetention, ...body }
      : body;
  const parsed = parsePipeline(input, name);
  if (!parsed.ok)
    throw HttpError.badRequest(parsed.issues.map((issue) => ({ field: issue.path, message: issue.message })));
  const pipelines = apiDeps().stores.pipelines;
  const existed = (await pipelines.get(name)) !== undefined;
  const stored = await pipelines.put(name, parsed.pipeline);
  return { status: existed ? 200 : 201, jsonBody: stored };
}

/** Every numbered definition of a pipeline (docs/explanation/pipeline-versions.md). */
export async function listPipelineVersions(request: HttpRequest): Promise<HttpResponseInit> {
  const { name } = parseParams(request, nameParams);
  const items = await apiDeps().stores.pipelines.versions(name);
  if (items.length === 0) throw HttpError.notFound(`No pipeline named ${JSON.stringify(name)}.`);
  return { jsonBody: { items } };
}

export async function deletePipeline(request: HttpRequest): Promise<HttpResponseInit> {
  const { name } = parseParams(request, nameParams);
  if (!(await apiDeps().stores.pipelines.delete(name)))
    throw HttpError.notFound(`No pipeline named ${JSON.stringify(name)}.`);
  return { status: 204 };
}

app.http('listPipelines', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'pipelines',
  handler: withProblems(listPipelines),
});
app.http('getPipeline', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'pipelines/{name}',
  handler: withProblems(getPipeline),
});
app.http('putPipeline', {
  methods: ['PUT'],
  authLevel: 'admin',
  route: 'pipelines/{name}',
  handler: withProblems(putPipeline),
});
app.http('listPipelineVersions', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'pipelines/{name}/versions',
  handler: withProblems(listPipelineVersions),
});
app.http('deletePipeline', {
  methods: ['DELETE'],
  authLevel: 'admin',
  route: 'pipelines/{name}',
  handler: withProblems(deletePipeline),
});
