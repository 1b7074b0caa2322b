import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { migrateStreamState, type StreamView, streamView } from '../../core';
import { streamEntityId } from '../stream/streamContract';
import { HttpError } from './errors';

/**
 * The view of a stored entity state, read as the entity reads it: a state saved by earlier code (version 1) is
 * migrated first, so a stream that has not run an operation since an upgrade reads correctly; a version this code
 * cannot read (saved by newer code) is a 500 problem naming it, never a view of fields it does not understand.
 */
export function viewOfStoredState(stored: unknown): StreamView {
  const migrated = migrateStreamState(stored);
  if (!migrated.ok) throw new HttpError(500, 'Stream state unreadable', migrated.error);
  return streamView(migrated.state);
}

/** Reads the stream entity (STREAM_ENTITY, key encodeStreamKey(pipeline, stream)) through the durable client binding (the route must declare df.input.durableClient()). */
export async function readStreamEntity(
  context: InvocationContext,
  pipeline: string,
  stream: string,
): Promise<StreamView | undefined> {
  const client = df.getClient(context);
  const response = await client.readEntityState<unknown>(streamEntityId(pipeline, stream));
  if (!response.entityExists || response.entityState === undefined || response.entityState === null) return undefined;
  return viewOfStoredState(response.entityState);
}
