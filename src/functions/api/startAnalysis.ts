import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { defaultPipeline } from '../../core/pipelines';
import { ANALYZE_STREAMS } from '../analysis/analyzeStreams';
import { type AnalysisDeps, analysisDeps } from '../analysis/deps';
import { type AnalysisJob, analysisRequestSchema, toJob } from '../analysis/request';
import { HttpError, withProblems } from './errors';
import { fieldErrors, readJson } from './validate';

/** What accepting an analysis needs: the stores to check the pipeline, and a way to start the orchestration. */
export interface StartAnalysisDeps {
  stores: Pick<AnalysisDeps, 'pipelines' | 'streams'>;
  /** Starts analyzeStreams with the job; resolves with the instance id. */
  start(job: AnalysisJob): Promise<string>;
  /** The clock for the empty body's default range (the last hour). */
  now?: () => number;
}

/** An empty body (or `{}`): every stored pipeline (the built-in default when none is stored) over the last hour. */
async function startDefaults(request: HttpRequest, deps: StartAnalysisDeps): Promise<HttpResponseInit> {
  const now = (deps.now ?? Date.now)();
  const to = new Date(now).toISOString();
  const from = new Date(now - 3_600_000).toISOString();
  const stored = (await deps.stores.pipelines.list()).map((p) => p.name);
  const started = [];
  for (const pipeline of stored.length > 0 ? stored : [defaultPipeline.name]) {
    const parsed = analysisRequestSchema.parse({ pipeline, from, to });
    const id = await deps.start(toJob(parsed));
    started.push({
      pipeline,
      id,
      statusQueryGetUri: new URL(`/api/analyses/${encodeURIComponent(id)}`, request.url).toString(),
    });
  }
  const first = started[0] as (typeof started)[number];
  return {
    status: 202,
    headers: { Location: first.statusQueryGetUri, 'Retry-After': '1' },
    jsonBody: { id: first.id, statusQueryGetUri: first.statusQueryGetUri, started },
  };
}

/**
 * A pipeline can be analysed when it is stored, is the built-in default (ingest's pipeline when none is stored), or
 * still has catalogued streams (a deleted pipeline's history).
 */
async function pipelineKnown(stores: StartAnalysisDeps['stores'], name: string): Promise<boolean> {
  if (name === defaultPipeline.name || (await stores.pipelines.get(name)) !== undefined) return true;
  return (await stores.streams.list({ pipeline: name, limit: 1 })).items.length > 0;
}

/**
 * Validates the request and starts the analysis; 202 with Streamfold's own status route. Never the durable
 * extension's management URLs (createCheckStatusResponse): on Azure they carry the extension's system key.
 */
export async function acceptAnalysis(request: HttpRequest, deps: StartAnalysisDeps): Promise<HttpResponseInit> {
  const text = await request.clone().text();
  if (text.trim() === '' || text.trim() === '{}') return startDefaults(request, deps);
  const body = await readJson(request);
  const parsed = analysisRequestSchema.safeParse(body);
  if (!parsed.success) throw HttpError.badRequest(fieldErrors(parsed.error, body));
  const { pipeline } = parsed.data;
  if (!(await pipelineKnown(deps.stores, pipeline))) {
    const message = `pipeline: expected a stored pipeline, "${defaultPipeline.name}" or a pipeline with catalogued streams; found ${JSON.stringify(pipeline)}`;
    throw new HttpError(404, 'Not found', message, [{ field: 'pipeline', message }]);
  }
  const id = await deps.start(toJob(parsed.data));
  const statusQueryGetUri = new URL(`/api/analyses/${encodeURIComponent(id)}`, request.url).toString();
  return {
    status: 202,
    headers: { Location: statusQueryGetUri, 'Retry-After': '1' },
    jsonBody: { id, statusQueryGetUri },
  };
}

/** POST /api/analyses (admin key: it starts work and writes reports and alerts). */
export async function startAnalysis(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  return acceptAnalysis(request, {
    stores: analysisDeps(),
    start: async (job) => {
      const instanceId = await client.startNew(ANALYZE_STREAMS, { input: job });
      context.log(`Started analysis ${instanceId} of pipeline ${job.pipeline}`);
      return instanceId;
    },
  });
}

app.http('startAnalysis', {
  methods: ['POST'],
  authLevel: 'admin',
  route: 'analyses',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(startAnalysis),
});
