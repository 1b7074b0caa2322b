import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';

import { ANALYZE_STREAMS } from '../analysis/analyzeStreams';
import { analysisDeps } from '../analysis/deps';
import { instanceStatus } from '../analysis/instanceStatus';
import { HttpError, withProblems } from './errors';
import { parseParams } from './validate';

// Instance ids Streamfold makes (startNew's hex, scheduledInstanceId) use only these characters; anything else could
// change the durable client's unencoded instances/{id} URL (`/`, `..`, `?`), so it never reaches it.
export const params = z.object({
  id: z
    .string()
    .min(1, 'expected an analysis id')
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'expected an analysis id of letters, digits, "-" and "_"'),
});

/** GET /api/analyses/{id}: runtime status, progress and, once completed, the full report. */
export async function getAnalysis(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { id } = parseParams(request, params);
  const status = await instanceStatus(df.getClient(context), id);
  if (!status || status.name !== ANALYZE_STREAMS) throw HttpError.notFound(`No analysis with id ${JSON.stringify(id)}`);
  const completed = status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed;
  const report = completed ? await analysisDeps().reports.get(id) : undefined;
  return {
    jsonBody: {
      id,
      runtimeStatus: status.runtimeStatus,
      createdTime: status.createdTime,
      lastUpdatedTime: status.lastUpdatedTime,
      progress: status.customStatus ?? null,
      ...(completed ? { report: report ?? status.output } : {}),
      ...(status.runtimeStatus === df.OrchestrationRuntimeStatus.Failed ? { error: status.output } : {}),
    },
  };
}

app.http('getAnalysis', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'analyses/{id}',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(getAnalysis),
});
