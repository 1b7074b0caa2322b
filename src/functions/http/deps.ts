import type { InvocationContext } from '@azure/functions';

import type { StreamView } from '../../core';
import { createStores } from '../../storage/createStores';
import type { Stores } from '../../storage/types';
import { readStreamEntity } from './readStreamEntity';

/** What the API handlers need from the outside world; tests swap it with {@link setApiDeps}. */
export interface ApiDeps {
  stores: Stores;
  /** Live view of the stream entity `{pipeline}|{stream}`, or undefined when the entity does not exist. */
  readStream(context: InvocationContext, pipeline: string, stream: string): Promise<StreamView | undefined>;
  now(): number;
}

let current: ApiDeps | undefined;

/** The process-wide dependencies, built on first use from the app settings. */
export function apiDeps(): ApiDeps {
  current ??= {
    stores: createStores(process.env),
    readStream: readStreamEntity,
    now: () => Date.now(),
  };
  return current;
}

/** Replaces (or with undefined, resets) the dependencies. */
export function setApiDeps(deps: ApiDeps | undefined): void {
  current = deps;
}
