import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { analyzeChunkActivity } from './analyzeChunk';
import { ACTIVITY_RETRY } from './retry';
import type { GroupInput, StreamDigest } from './types';

/** Sub-orchestration: one group of chunks fanned out in parallel, so the parent's history holds one result per group. */
export const analyzeStreamGroupHandler: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<GroupInput>();
  const results: StreamDigest[][] = yield context.df.Task.all(
    input.chunks.map((streams) => analyzeChunkActivity({ ...input.base, streams }).withRetry(ACTIVITY_RETRY)),
  );
  return results.flat();
};

export const ANALYZE_STREAM_GROUP = 'analyzeStreamGroup';
export const analyzeStreamGroup = df.app.orchestration(ANALYZE_STREAM_GROUP, analyzeStreamGroupHandler);
