import type { HubEvent } from './types';

/** The parts of the SDK's ReceivedEventData the trigger uses (subscribed with skipParsingBodyAsJson). */
export interface ReceivedEventLike {
  body: unknown;
  sequenceNumber: number;
  offset: string | number;
  enqueuedTimeUtc: Date;
  partitionKey: string | null;
  properties?: Record<string, unknown>;
}

/** An event received from Azure Event Hubs (or its emulator) as the shape the trigger conversion takes. */
export function fromReceivedEvent(event: ReceivedEventLike): HubEvent {
  const body = event.body;
  let bytes: Buffer;
  if (Buffer.isBuffer(body)) bytes = body;
  else if (body instanceof Uint8Array) bytes = Buffer.from(body);
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body === undefined || body === null) bytes = Buffer.alloc(0);
  else bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return {
    body: bytes,
    sequenceNumber: event.sequenceNumber,
    offset: String(event.offset),
    enqueuedTime: event.enqueuedTimeUtc,
    partitionKey: event.partitionKey ?? null,
    properties: event.properties ?? {},
  };
}
