import type { InvocationContext } from '@azure/functions';

import { appDeps, setAppDeps } from '../../app';
import type { StreamView } from '../../core';
import type { Stores } from '../../storage/types';

/** What the API handlers need from the outside world (built in src/app.ts); tests swap it with {@link setApiDeps}. */
export interface ApiDeps {
  stores: Stores;
  /** Live view of the stream entity of (pipeline, stream) (key encodeStreamKey), or undefined when the entity does not exist. */
  readStream(context: InvocationContext, pipeline: string, stream: string): Promise<StreamView | undefined>;
  now(): number;
  /** Live windows a pipeline keeps when its PUT sets no `retention` (STREAM_RETENTION_WINDOWS). */
  defaultRetention: number;
}

/** The API's part of the app's dependencies (src/app.ts). */
export function apiDeps(): ApiDeps {
  return appDeps().api;
}

/** Tests: replaces (or with undefined, resets) the API's dependencies. */
export function setApiDeps(deps: ApiDeps | undefined): void {
  setAppDeps(deps === undefined ? undefined : { api: deps });
}
