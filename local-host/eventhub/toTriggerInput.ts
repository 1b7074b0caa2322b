import { randomUUID } from 'node:crypto';

import { appError, HostSystemError } from '../errors';
import type { RpcTypedData } from '../extension';
import { dotNetDateTime, dotNetDateTimeOffset } from './dotNetTime';
import type { HubEvent } from './types';

/** What the trigger binding asked for. */
export interface TriggerShape {
  functionName: string;
  cardinality: 'many' | 'one';
  /** undefined, 'string', 'binary' or 'stream' as the binding's dataType option. */
  dataType?: string;
}

export interface PartitionContextInfo {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
}

export interface TriggerInput {
  triggerData: RpcTypedData;
  triggerMetadata: Record<string, RpcTypedData>;
}

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });

/** The host's serializer writes dictionary keys camel-cased: first letter lowercased. */
function camelKeys(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  return out;
}

/** Formats enqueued times once per distinct time: a batch appended in one request shares one. */
function timeFormatter(): (date: Date) => { dateTime: string; offset: string } {
  const cache = new Map<number, { dateTime: string; offset: string }>();
  return (date) => {
    const key = date.getTime();
    let hit = cache.get(key);
    if (!hit) {
      const dateTime = dotNetDateTime(date);
      cache.set(key, (hit = { dateTime, offset: `${dateTime}+00:00` }));
    }
    return hit;
  };
}

function systemProperties(
  event: HubEvent,
  time: { dateTime: string; offset: string } = {
    dateTime: dotNetDateTime(event.enqueuedTime),
    offset: dotNetDateTimeOffset(event.enqueuedTime),
  },
): Record<string, unknown> {
  const props: Record<string, unknown> = {
    'x-opt-sequence-number': event.sequenceNumber,
    'x-opt-offset': event.offset,
    'x-opt-enqueued-time': time.offset,
  };
  if (event.partitionKey !== null) props['x-opt-partition-key'] = event.partitionKey;
  props.sequenceNumber = event.sequenceNumber;
  props.offset = Number(event.offset);
  props.partitionKey = event.partitionKey;
  props.enqueuedTimeUtc = time.dateTime;
  return props;
}

function parseJsonBody(event: HubEvent): unknown {
  const text = event.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw appError(
      `Event ${event.sequenceNumber} (offset ${event.offset}) is not JSON, and an eventHub trigger with cardinality "many" and no dataType receives a JSON array of parsed bodies, as in Azure. Set dataType: 'string' or 'binary' on the trigger to receive non-JSON bodies. Body starts: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
}

function batchData(events: readonly HubEvent[], dataType: string | undefined): RpcTypedData {
  if (dataType === 'binary' || dataType === 'stream')
    return { collectionBytes: { bytes: events.map((e) => new Uint8Array(e.body)) } };
  if (dataType === 'string') {
    // The host drops empty strings from string collections on the way to the worker.
    return { collectionString: { string: events.map((e) => e.body.toString('utf8')).filter((s) => s !== '') } };
  }
  return json(events.map(parseJsonBody));
}

function singleData(event: HubEvent, dataType: string | undefined): RpcTypedData {
  if (dataType === 'binary' || dataType === 'stream') return { bytes: new Uint8Array(event.body) };
  return { string: event.body.toString('utf8') };
}

/**
 * Turns events into the trigger data and metadata the Functions host sends the Node worker for an
 * eventHubTrigger (shapes from the extension's EventHubTriggerBindingStrategy and the host's RPC
 * conversion; see local-host/README.md, "Protocol notes"). Shared by the local hub and the Azure path.
 * Throws (the invocation fails) when cardinality is many without dataType and a body is not JSON.
 */
export function toTriggerInput(
  events: readonly HubEvent[],
  shape: TriggerShape,
  partition: PartitionContextInfo | null,
  now = new Date(),
): TriggerInput {
  const metadata: Record<string, RpcTypedData> = {
    sys: json({ methodName: shape.functionName, utcNow: now.toISOString(), randGuid: randomUUID() }),
  };
  if (partition) metadata.partitionContext = json(partition);
  if (shape.cardinality === 'one') {
    const event = events[0];
    if (!event || events.length !== 1)
      throw new HostSystemError(`A cardinality "one" trigger gets exactly one event; got ${events.length}.`);
    if (event.partitionKey !== null) metadata.partitionKey = { string: event.partitionKey };
    metadata.offset = json(Number(event.offset));
    metadata.sequenceNumber = json(event.sequenceNumber);
    metadata.enqueuedTimeUtc = { string: dotNetDateTime(event.enqueuedTime) };
    metadata.properties = json(camelKeys(event.properties));
    metadata.systemProperties = json(systemProperties(event));
    return { triggerData: singleData(event, shape.dataType), triggerMetadata: metadata };
  }
  const timeOf = timeFormatter();
  metadata.enqueuedTimeUtcArray = json(events.map((e) => timeOf(e.enqueuedTime).dateTime));
  metadata.sequenceNumberArray = json(events.map((e) => e.sequenceNumber));
  metadata.offsetArray = json(events.map((e) => e.offset));
  metadata.partitionKeyArray = json(events.map((e) => e.partitionKey).filter((k) => k !== null));
  metadata.propertiesArray = json(events.map((e) => camelKeys(e.properties)));
  metadata.systemPropertiesArray = json(events.map((e) => systemProperties(e, timeOf(e.enqueuedTime))));
  return { triggerData: batchData(events, shape.dataType), triggerMetadata: metadata };
}
