import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

const clients = new WeakMap<InvocationContext, df.DurableClient>();

/**
 * One durable client per invocation. `df.getClient` builds a new client (an axios instance and validated webhook
 * URLs) on every call; ingest signals one entity per stream of a batch, so building one per signal cost more CPU
 * than the signals' own requests.
 */
export function durableClientFor(context: InvocationContext): df.DurableClient {
  let client = clients.get(context);
  if (client === undefined) {
    client = df.getClient(context);
    clients.set(context, client);
  }
  return client;
}
