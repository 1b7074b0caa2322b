import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';

import { ANALYZE_STREAMS } from '../analysis/analyzeStreams';
import { withProblems } from './errors';
import { parseQuery } from './validate';

const STATUSES = Object.values(df.OrchestrationRuntimeStatus) as [
  df.OrchestrationRuntimeStatus,
  ...df.OrchestrationRuntimeStatus[],
];

export const query = z.object({
  status: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(STATUSES, { error: `expected statuses among ${STATUSES.join(', ')}` })))
    .optional(),
});

/** GET /api/analyses?status=Running,Completed: analysis runs (not their sub-orchestrations), newest first. */
export async function listAnalyses(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { status } = parseQuery(request, query);
  const all = await df.getClient(context).getStatusBy(status && status.length > 0 ? { runtimeStatus: status } : {});
  const runs = all
    .filter((s) => s.name === ANALYZE_STREAMS)
    .sort((a, b) => new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime())
    .map((s) => ({
      id: s.instanceId,
      runtimeStatus: s.runtimeStatus,
      createdTime: s.createdTime,
      lastUpdatedTime: s.lastUpdatedTime,
      progress: s.customStatus ?? null,
    }));
  return { jsonBody: { items: runs } };
}

app.http('listAnalyses', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'analyses',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(listAnalyses),
});
