import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { HttpError, withProblems } from '../http/errors';
import { fieldErrors, readJson } from '../http/validate';
import { ANALYZE_STREAMS } from './analyzeStreams';
import { analysisRequestSchema, toJob } from './request';

/** POST /api/analyses: validates the request and starts analyzeStreams; 202 with the status URLs. */
export async function startAnalysis(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  const parsed = analysisRequestSchema.safeParse(body);
  if (!parsed.success) throw HttpError.badRequest(fieldErrors(parsed.error, body));
  const client = df.getClient(context);
  const instanceId = await client.startNew(ANALYZE_STREAMS, { input: toJob(parsed.data) });
  context.log(`Started analysis ${instanceId} of pipeline ${parsed.data.pipeline}`);
  return client.createCheckStatusResponse(request, instanceId);
}

app.http('startAnalysis', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'analyses',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(startAnalysis),
});
