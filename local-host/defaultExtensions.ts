import { createDurableExtension } from './durable';
import { createEventHubExtension } from './eventhub/createEventHubExtension';
import type { HostExtension } from './extension';

/** The binding extensions `startHost` uses unless told otherwise. One line per extension. */
export function defaultExtensions(): HostExtension[] {
  return [createDurableExtension(), createEventHubExtension()];
}
