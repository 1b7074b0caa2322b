import * as df from 'durable-functions';

import { allItems } from '../../storage/allItems';
import { compareStreamKeys } from '../../storage/compareStreamKeys';
import type { StreamCatalog } from '../../storage/types';
import { analysisDeps } from './deps';
import type { AnalysisJob } from './request';

/**
 * The job's streams: the explicit list, or every catalogued stream of the pipeline (with the prefix), all pages.
 * In stream-key order, so each chunk is a contiguous range of the Windows table (one range query per chunk).
 */
export async function listJobStreams(catalog: StreamCatalog, job: AnalysisJob): Promise<string[]> {
  if (Array.isArray(job.streams)) return [...new Set(job.streams)].sort(compareStreamKeys);
  const prefix = job.streams?.prefix;
  const out: string[] = [];
  const query = { pipeline: job.pipeline, ...(prefix ? { prefix } : {}), limit: 1000 };
  for await (const e of allItems((c) => catalog.list({ ...query, ...c }))) out.push(e.stream);
  return out.sort(compareStreamKeys);
}

export const LIST_JOB_STREAMS = 'analysisListStreams';
export const listJobStreamsActivity = df.app.activity(LIST_JOB_STREAMS, {
  handler: (job: AnalysisJob) => listJobStreams(analysisDeps().streams, job),
});
