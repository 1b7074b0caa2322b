import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

/** getStatus, with "no such instance" as undefined (the SDK throws on the extension's 404). */
export async function instanceStatus(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    const status = await client.getStatus(instanceId, { showInput: false });
    return status?.instanceId ? status : undefined;
  } catch (error) {
    if (/HTTP 404/.test((error as Error).message)) return undefined;
    throw error;
  }
}
