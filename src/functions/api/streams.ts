import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';

import { closedWindowFromStored, encodeStreamKey, streamKeyProblem } from '../../core';
import { apiDeps } from './deps';
import { HttpError, withProblems } from './errors';
import { pageQuery, parseParams, parseQuery, timeParam } from './validate';

/** A stored window's version (windows closed before revisions have none: their first). */
const versionOf = (data: unknown): number => {
  const v = (data as { version?: unknown } | null)?.version;
  return typeof v === 'number' ? v : 1;
};

export const streamParams = z.object({
  pipeline: z
    .string()
    .min(1, 'expected a pipeline name')
    .refine((p) => p.isWellFormed(), 'expected a pipeline name of well-formed Unicode'),
  stream: z.string().superRefine((stream, ctx) => {
    const problem = streamKeyProblem(stream);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

/**
 * The names from the path (`streams/{pipeline}/{stream}`: each percent-encoded once) or, on the `stream` routes, from
 * the query (`?pipeline=&stream=`), which carries any name on Azure too, where a path segment cannot hold an encoded '/'.
 */
function streamNames(request: HttpRequest): z.output<typeof streamParams> {
  return request.params['stream'] !== undefined
    ? parseParams(request, streamParams)
    : parseQuery(request, streamParams);
}

export const listQuery = z.object({
  pipeline: z.string().min(1, 'expected a pipeline name').optional(),
  prefix: z.string().optional(),
  ...pageQuery,
});

/** The stream catalog: last seen time, event total and rate per stream. */
export async function listStreams(request: HttpRequest): Promise<HttpResponseInit> {
  const { pipeline, prefix, limit, continuationToken } = parseQuery(request, listQuery);
  return { jsonBody: await apiDeps().stores.streams.list({ pipeline, prefix, limit, continuationToken }) };
}

/** Live state from the stream's Durable Entity (pending partials merged), 404 when the entity does not exist. */
export async function getStream(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { pipeline, stream } = streamNames(request);
  const view = await apiDeps().readStream(context, pipeline, stream);
  if (!view)
    throw HttpError.notFound(
      `No live state for stream ${JSON.stringify(stream)} of pipeline ${JSON.stringify(pipeline)}.`,
    );
  return { jsonBody: view };
}

export const windowsQuery = z
  .object({ from: timeParam.optional(), to: timeParam.optional(), ...pageQuery })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'expected to at or after from',
    path: ['to'],
  });

/**
 * Closed windows whose start is in [from, to), oldest first, each measure with its summary (derived from the stored
 * aggregate): the latest version of each, with `version`.
 */
export async function listWindows(request: HttpRequest): Promise<HttpResponseInit> {
  const { pipeline, stream } = streamNames(request);
  const { from, to, limit, continuationToken } = parseQuery(request, windowsQuery);
  const page = await apiDeps().stores.windows.query(encodeStreamKey(pipeline, stream), {
    from,
    to,
    limit,
    continuationToken,
  });
  return {
    jsonBody: {
      ...page,
      items: page.items.map((w) => ({ ...w, version: versionOf(w.data), data: closedWindowFromStored(w.data) })),
    },
  };
}

export const versionsParams = streamParams.extend({ start: timeParam });

/**
 * Every version of the closed window starting at `start` (ISO or epoch ms), oldest first: version 1 as first closed,
 * then each revision with its delta and sequence range (docs/explanation/windows-and-lateness.md). The history table
 * holds rows only from a window's first revision on, so a window never revised is a one-item history: its Windows row.
 * 404 only when the window does not exist.
 */
export async function listWindowVersions(request: HttpRequest): Promise<HttpResponseInit> {
  const { pipeline, stream, start } = parseParams(request, versionsParams);
  const { limit, continuationToken } = parseQuery(request, z.object(pageQuery));
  const key = encodeStreamKey(pipeline, stream);
  const { stores } = apiDeps();
  const page = await stores.windowVersions.list(key, start, { limit, continuationToken });
  if (page.items.length === 0 && continuationToken === undefined && page.continuationToken === undefined) {
    const row = (await stores.windows.query(key, { from: start, to: start + 1, limit: 1 })).items[0];
    if (row === undefined)
      throw HttpError.notFound(
        `No window starting at ${new Date(start).toISOString()} in stream ${JSON.stringify(stream)} of pipeline ${JSON.stringify(pipeline)}.`,
      );
    return {
      jsonBody: { items: [{ start: row.start, version: versionOf(row.data), data: closedWindowFromStored(row.data) }] },
    };
  }
  return { jsonBody: { ...page, items: page.items.map((v) => ({ ...v, data: closedWindowFromStored(v.data) })) } };
}

app.http('listStreams', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'streams',
  handler: withProblems(listStreams),
});
app.http('getStream', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'streams/{pipeline}/{stream}',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(getStream),
});
app.http('listWindows', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'streams/{pipeline}/{stream}/windows',
  handler: withProblems(listWindows),
});
app.http('listWindowVersions', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'streams/{pipeline}/{stream}/windows/{start}/versions',
  handler: withProblems(listWindowVersions),
});
// The same reads with the names in the query string: `stream?pipeline=P&stream=S` and `stream/windows?pipeline=P&stream=S&...`.
app.http('getStreamByQuery', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'stream',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(getStream),
});
app.http('listWindowsByQuery', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'stream/windows',
  handler: withProblems(listWindows),
});
