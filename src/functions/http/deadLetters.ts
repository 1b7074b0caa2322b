import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { apiDeps } from './deps';
import { withProblems } from './errors';
import { pageQuery, parseQuery, timeParam } from './validate';

const query = z.object({
  since: timeParam.optional(),
  reason: z.string().min(1, 'expected a reason such as invalid-json or late').optional(),
  ...pageQuery,
});

/** Dead letters enqueued at or after `since` (ISO or epoch ms), optionally of one reason, oldest day first. */
export async function listDeadLetters(request: HttpRequest): Promise<HttpResponseInit> {
  const { since, reason, limit, continuationToken } = parseQuery(request, query);
  const page = await apiDeps().stores.deadLetters.query({
    ...(since !== undefined ? { since: new Date(since).toISOString() } : {}),
    ...(reason !== undefined ? { reason } : {}),
    limit,
    continuationToken,
  });
  return { jsonBody: page };
}

app.http('listDeadLetters', { methods: ['GET'], authLevel: 'function', route: 'deadletters', handler: withProblems(listDeadLetters) });
