import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';

import { appDeps, setAppDeps } from '../../app';
import { streamKeyProblem } from '../../core/streams';
import type { StreamActivityStore } from '../../storage/types';
import { streamEntityKey } from '../stream/streamContract';
import { apiDeps } from './deps';
import { withProblems } from './errors';
import { parseParams } from './validate';

/** Rows of each kind (windows, dead letters) one request deletes at most; `complete: false` asks for another DELETE. */
export const MAX_ROWS_PER_DELETE = 5000;

/** What the route needs beyond apiDeps() (built in src/app.ts); tests swap it with {@link setDeleteStreamDeps}. */
export interface DeleteStreamDeps {
  /** The idle index (StreamActivity table). */
  activity: StreamActivityStore;
  /** Signals the stream entity's `delete` operation (through the durable client binding the route declares). */
  signalDelete(context: InvocationContext, pipeline: string, stream: string): Promise<void>;
}

/** Tests: replaces (or with undefined, resets) the route's dependencies. */
export function setDeleteStreamDeps(deps: DeleteStreamDeps | undefined): void {
  setAppDeps(deps === undefined ? undefined : { deleteStream: deps });
}

export const params = z.object({
  pipeline: z.string().min(1, 'expected a pipeline name'),
  stream: z.string().superRefine((stream, ctx) => {
    const problem = streamKeyProblem(stream);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

export interface DeleteStreamResult {
  pipeline: string;
  stream: string;
  /** Rows deleted by this request (the entity's own delete, queued behind its pending operations, runs after it). */
  deleted: { windows: number; deadLetters: number; catalog: boolean };
  /** false: the stream had more than MAX_ROWS_PER_DELETE windows or dead letters; send the DELETE again. */
  complete: boolean;
}

/**
 * Erases a stream: signals its entity's `delete` (live state, pending partials and the entity itself go once the
 * operations queued before it have run; it then erases the windows and rows those wrote), and deletes its closed
 * windows, its dead letters (those that carry the stream's name), its Streams catalog row and its idle-index row.
 * 202 Accepted, because the entity's part is asynchronous; idempotent (a stream that does not exist gives 202 too,
 * so a retried request never fails). Events of the stream that arrive afterwards start it afresh.
 */
export async function deleteStream(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { pipeline, stream } = parseParams(request, params);
  const { stores } = apiDeps();
  const deps = appDeps().deleteStream;
  const windows = await stores.windows.deleteStream(streamEntityKey(pipeline, stream), MAX_ROWS_PER_DELETE);
  // The windows' earlier versions go with them (the entity's delete erases any it writes meanwhile).
  await stores.windowVersions.deleteStream(streamEntityKey(pipeline, stream), MAX_ROWS_PER_DELETE);
  const deadLetters = await stores.deadLetters.deleteStream(pipeline, stream, MAX_ROWS_PER_DELETE);
  const catalog = await stores.streams.remove(pipeline, stream);
  await deps.activity.remove(pipeline, stream);
  // The signal last, so the counts above are this request's own; its operation erases whatever the entity's queued
  // operations write meanwhile. If the signal fails the request fails, and repeating it is harmless.
  await deps.signalDelete(context, pipeline, stream);
  const result: DeleteStreamResult = {
    pipeline,
    stream,
    deleted: { windows: windows.deleted, deadLetters: deadLetters.deleted, catalog },
    complete: !windows.more && !deadLetters.more,
  };
  context.log(`deleteStream: ${JSON.stringify(result)}`);
  return { status: 202, jsonBody: result };
}

app.http('deleteStream', {
  methods: ['DELETE'],
  authLevel: 'admin',
  route: 'streams/{pipeline}/{stream}',
  extraInputs: [df.input.durableClient()],
  handler: withProblems(deleteStream),
});
