import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { type StreamState, type StreamView,streamView } from '../../core';
import { streamEntityId } from '../streamEntity';

/** Reads the stream entity (STREAM_ENTITY, key encodeStreamKey(pipeline, stream)) through the durable client binding (the route must declare df.input.durableClient()). */
export async function readStreamEntity(context: InvocationContext, pipeline: string, stream: string): Promise<StreamView | undefined> {
  const client = df.getClient(context);
  const response = await client.readEntityState<StreamState>(streamEntityId(pipeline, stream));
  if (!response.entityExists || response.entityState === undefined || response.entityState === null) return undefined;
  return streamView(response.entityState);
}
