import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../../core';
import { apiDeps } from './deps';
import { withProblems } from './errors';
import { pageQuery, parseQuery, timeParam } from './validate';

export const query = z.object({
  since: timeParam.optional(),
  // Checked against the core's list, so a reason added there is accepted here without another edit.
  reason: z
    .enum(DEAD_LETTER_REASONS as [DeadLetterReason, ...DeadLetterReason[]], {
      error: `expected one of ${DEAD_LETTER_REASONS.join(', ')}`,
    })
    .optional(),
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

app.http('listDeadLetters', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'deadletters',
  handler: withProblems(listDeadLetters),
});
