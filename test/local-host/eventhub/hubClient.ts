/** Test helpers for the local event hub endpoints (a real host process serves them). */
export interface HubState {
  events: number;
  consumers: { function: string; lag: number; unprocessed: number }[];
  partitions: { partitionId: string; lastSequenceNumber: number }[];
}

export async function postEvents(
  baseUrl: string,
  hub: string,
  events: unknown[],
  query = '',
): Promise<{ accepted: number; partitions: Record<string, number> }> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/${hub}/events${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  if (res.status !== 200) throw new Error(`POST events: ${res.status} ${await res.text()}`);
  return (await res.json()) as { accepted: number; partitions: Record<string, number> };
}

async function hubState(baseUrl: string, hub: string): Promise<HubState> {
  const res = await fetch(`${baseUrl}/runtime/eventhubs/${hub}`);
  if (res.status !== 200) throw new Error(`GET hub: ${res.status} ${await res.text()}`);
  return (await res.json()) as HubState;
}

/** Polls until the hub holds `events` events and every consumer processed and checkpointed all of them. */
export async function drain(baseUrl: string, hub: string, events: number, timeoutMs = 30_000): Promise<HubState> {
  const deadline = Date.now() + timeoutMs;
  let state = await hubState(baseUrl, hub);
  while (!(state.events === events && state.consumers.every((c) => c.lag === 0 && c.unprocessed === 0))) {
    if (Date.now() > deadline)
      throw new Error(
        `Hub ${hub} did not drain to ${events} events: ${JSON.stringify(state.consumers)} events=${state.events}`,
      );
    await new Promise((r) => setTimeout(r, 50));
    state = await hubState(baseUrl, hub);
  }
  return state;
}
