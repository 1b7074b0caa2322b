import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { apiDeps } from './deps';
import { withProblems } from './errors';
import { summarizeIngestMetrics } from './summarizeIngestMetrics';
import { parseQuery } from './validate';

export const query = z.object({
  minutes: z.coerce
    .number({ error: 'expected a whole number of minutes from 1 to 1440' })
    .int('expected a whole number of minutes from 1 to 1440')
    .min(1, 'expected a whole number of minutes from 1 to 1440')
    .max(1440, 'expected a whole number of minutes from 1 to 1440')
    .default(5),
});

/** Global ingest rates, latency and entity operations per 1,000 events over the last `minutes` (default 5). */
export async function getMetrics(request: HttpRequest): Promise<HttpResponseInit> {
  const { minutes } = parseQuery(request, query);
  const deps = apiDeps();
  const until = deps.now();
  // Rows are per whole minute, so the window really starts on the minute boundary at or before now - minutes.
  const from = Math.floor((until - minutes * 60_000) / 60_000) * 60_000;
  const rows = await deps.stores.ingestMetrics.recent(from);
  return {
    jsonBody: {
      from: new Date(from).toISOString(),
      until: new Date(until).toISOString(),
      ...summarizeIngestMetrics(rows, from, until),
    },
  };
}

app.http('getMetrics', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'metrics',
  handler: withProblems(getMetrics),
});
