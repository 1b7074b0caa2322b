import type { InvocationContext } from '@azure/functions';

import { mergeEncodedSketches, type StreamView } from '../../core';
import { loadSettings } from '../../settings';
import { createStores } from '../../storage/createStores';
import type { Stores } from '../../storage/types';
import { readStreamEntity } from './readStreamEntity';

/** What the API handlers need from the outside world; tests swap it with {@link setApiDeps}. */
export interface ApiDeps {
  stores: Stores;
  /** Live view of the stream entity of (pipeline, stream) (key encodeStreamKey), or undefined when the entity does not exist. */
  readStream(context: InvocationContext, pipeline: string, stream: string): Promise<StreamView | undefined>;
  now(): number;
  /** Live windows a pipeline keeps when its PUT sets no `retention` (STREAM_RETENTION_WINDOWS). */
  defaultRetention: number;
}

let current: ApiDeps | undefined;

/** The process-wide dependencies, built on first use from the app settings. */
export function apiDeps(): ApiDeps {
  current ??= {
    // The core's sketch merge keeps one latency sketch per metrics row, so /api/metrics percentiles cover every batch.
    stores: createStores(process.env, { mergeLatencySketches: mergeEncodedSketches }),
    readStream: readStreamEntity,
    now: () => Date.now(),
    defaultRetention: loadSettings().streamRetentionWindows,
  };
  return current;
}

/** Replaces (or with undefined, resets) the dependencies. */
export function setApiDeps(deps: ApiDeps | undefined): void {
  current = deps;
}
