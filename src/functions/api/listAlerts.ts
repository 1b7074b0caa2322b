import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { analysisDeps } from '../analysis/deps';
import { withProblems } from './errors';
import { pageQuery, parseQuery, timeParam } from './validate';

export const query = z.object({
  since: timeParam.optional(),
  stream: z.string().min(1, 'expected a stream name').optional(),
  pipeline: z.string().min(1, 'expected a pipeline name').optional(),
  ...pageQuery,
});

/** GET /api/alerts?since=&stream=&pipeline=: raised alerts, oldest window first, paged. */
export async function listAlerts(request: HttpRequest): Promise<HttpResponseInit> {
  const { since, stream, pipeline, limit, continuationToken } = parseQuery(request, query);
  const page = await analysisDeps().alerts.query({
    ...(since !== undefined ? { since: new Date(since).toISOString() } : {}),
    ...(stream !== undefined ? { stream } : {}),
    ...(pipeline !== undefined ? { pipeline } : {}),
    limit,
    continuationToken,
  });
  return { jsonBody: page };
}

app.http('listAlerts', { methods: ['GET'], authLevel: 'function', route: 'alerts', handler: withProblems(listAlerts) });
