import {
  type CheckpointStore,
  earliestEventPosition,
  latestEventPosition,
  type PartitionContext,
  type ReceivedEventData,
  type SubscribeOptions,
  type SubscriptionEventHandlers,
} from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { ContainerClient } from '@azure/storage-blob';

import { type RunningAzurite, startAzurite } from '../../../local-host/azurite/startAzurite';
import {
  type ConsumerClientLike,
  createAzureConsumer,
  type RealConnection,
} from '../../../local-host/eventhub/azureEventHubs';
import { defaultEventHubOptions, type EventHubOptions } from '../../../local-host/eventhub/eventHubOptions';
import type { BatchInvoker } from '../../../local-host/eventhub/invokeBatch';
import { toTriggerInput, type TriggerShape } from '../../../local-host/eventhub/toTriggerInput';
import type { HubEvent } from '../../../local-host/eventhub/types';
import type { InvokeRequest, RpcTypedData } from '../../../local-host/extension';

/**
 * The host side of the real Event Hubs trigger: a real Azurite keeps the checkpoints (the consumer's own
 * BlobCheckpointStore); the only stand-in is the Event Hubs service, which cannot run here.
 */
const namespace = 'streamfold-test.servicebus.windows.net';
const connection: RealConnection = {
  kind: 'connectionString',
  connectionString: `Endpoint=sb://${namespace}/;SharedAccessKeyName=send;SharedAccessKey=x`,
  emulator: false,
};
const checkpointContainer = 'azure-webjobs-eventhub';

/**
 * Stands in for the Event Hubs service and the SDK's partition pumps: each `feed` hands one partition's
 * batches to processEvents in order, with a partition context whose updateCheckpoint writes the checkpoint
 * the SDK writes to the store the consumer built; a throwing processEvents goes to processError and stops
 * that partition (a non-retryable error), as the SDK's PartitionPump does.
 */
class ScriptedEventHubs implements ConsumerClientLike {
  created?: { consumerGroup: string; hubName: string; store: CheckpointStore };
  handlers?: SubscriptionEventHandlers;
  options?: SubscribeOptions;
  readonly closed: string[] = [];

  readonly factory = (consumerGroup: string, hubName: string, store: CheckpointStore): ConsumerClientLike => {
    this.created = { consumerGroup, hubName, store };
    return this;
  };

  subscribe(handlers: SubscriptionEventHandlers, options?: SubscribeOptions): { close(): Promise<void> } {
    this.handlers = handlers;
    this.options = options;
    return { close: async () => void this.closed.push('subscription') };
  }

  async close(): Promise<void> {
    this.closed.push('client');
  }

  context(partitionId: string): PartitionContext {
    const { consumerGroup, hubName, store } = this.created!;
    return {
      fullyQualifiedNamespace: namespace,
      eventHubName: hubName,
      consumerGroup,
      partitionId,
      updateCheckpoint: (event: ReceivedEventData) =>
        store.updateCheckpoint({
          fullyQualifiedNamespace: namespace,
          eventHubName: hubName,
          consumerGroup,
          partitionId,
          sequenceNumber: event.sequenceNumber,
          offset: event.offset,
        }),
    };
  }

  async feed(partitionId: string, batches: ReceivedEventData[][]): Promise<void> {
    const context = this.context(partitionId);
    for (const batch of batches) {
      try {
        await this.handlers!.processEvents(batch, context);
      } catch (err) {
        await this.handlers!.processError(err as Error, context);
        return;
      }
    }
  }
}

const enqueued = (sequenceNumber: number): Date =>
  new Date(Date.UTC(2024, 4, 1, 10, 0, 0, 120) + sequenceNumber * 1000);

interface Scripted {
  sequenceNumber: number;
  body: string;
  partitionKey?: string;
  properties?: Record<string, unknown>;
}

/** What the SDK hands processEvents with skipParsingBodyAsJson: the raw body bytes. */
function received(e: Scripted): ReceivedEventData {
  return {
    body: Buffer.from(e.body),
    sequenceNumber: e.sequenceNumber,
    offset: String(e.sequenceNumber * 100),
    enqueuedTimeUtc: enqueued(e.sequenceNumber),
    partitionKey: e.partitionKey ?? null,
    properties: e.properties,
    systemProperties: {},
    getRawAmqpMessage: () => {
      throw new Error('the host does not read raw AMQP messages');
    },
  };
}

/** The same event as the local hub stores and hands the trigger conversion. */
function localHubEvent(e: Scripted): HubEvent {
  return {
    body: Buffer.from(e.body),
    sequenceNumber: e.sequenceNumber,
    offset: String(e.sequenceNumber * 100),
    enqueuedTime: enqueued(e.sequenceNumber),
    partitionKey: e.partitionKey ?? null,
    properties: e.properties ?? {},
  };
}

function recordingInvoker(
  shape: TriggerShape,
  fails: (request: InvokeRequest) => boolean = () => false,
): { invoker: BatchInvoker; calls: InvokeRequest[]; errors: string[] } {
  const calls: InvokeRequest[] = [];
  const errors: string[] = [];
  const invoker: BatchInvoker = {
    shape,
    retry: () => undefined,
    logError: (message) => void errors.push(message),
    invoke: async (request) => {
      calls.push(request);
      if (fails(request)) throw new Error('the function threw');
      return { invocationId: String(calls.length), outputData: [] };
    },
  };
  return { invoker, calls, errors };
}

const parsed = (data: RpcTypedData | undefined): unknown => JSON.parse(data?.json ?? 'null');
const partitionOf = (request: InvokeRequest): string =>
  (parsed(request.triggerMetadata?.partitionContext) as { partitionId: string }).partitionId;

/** Everything but `sys` (a fresh guid and time per invocation). */
function withoutSys(metadata: Record<string, RpcTypedData> | undefined): Record<string, RpcTypedData> {
  const { sys: _sys, ...rest } = metadata ?? {};
  return rest;
}

let azurite: RunningAzurite;
let settings: Record<string, string>;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true, ports: 0 });
  settings = { AzureWebJobsStorage: azurite.connectionString };
});

afterAll(async () => {
  await azurite?.stop();
});

async function checkpointsIn(
  hubName: string,
  consumerGroup: string,
): Promise<Array<{ partitionId: string; sequenceNumber: number; offset: string }>> {
  const store = new BlobCheckpointStore(new ContainerClient(azurite.connectionString, checkpointContainer));
  const list = await store.listCheckpoints(namespace, hubName, consumerGroup);
  return list
    .map((c) => ({ partitionId: c.partitionId, sequenceNumber: c.sequenceNumber, offset: String(c.offset) }))
    .sort((a, b) => a.partitionId.localeCompare(b.partitionId));
}

describe('createAzureConsumer with a stand-in Event Hubs service and real blob checkpoints', () => {
  it('cardinality many: one invocation per batch, shaped as the local hub shapes it; checkpoints every batchCheckpointFrequency batches', async () => {
    const hub = new ScriptedEventHubs();
    const shape: TriggerShape = { functionName: 'ingest', cardinality: 'many' };
    const { invoker, calls, errors } = recordingInvoker(shape);
    const options: EventHubOptions = { ...defaultEventHubOptions, maxEventBatchSize: 50, batchCheckpointFrequency: 2 };
    const consumer = createAzureConsumer({
      connection,
      eventHubName: 'Readings',
      consumerGroup: 'Streamfold',
      options,
      settings,
      invoker,
      clientFactory: hub.factory,
    });
    await consumer.start();
    expect(hub.created).toMatchObject({ consumerGroup: 'Streamfold', hubName: 'Readings' });
    expect(hub.options).toEqual({
      maxBatchSize: 50,
      maxWaitTimeInSeconds: 1,
      startPosition: earliestEventPosition,
      skipParsingBodyAsJson: true,
    });

    const p0: Scripted[][] = [
      [
        { sequenceNumber: 10, body: '{"v":1}', partitionKey: 'sensor-1', properties: { Source: 'a', Attempt: 2 } },
        { sequenceNumber: 11, body: '{"v":2}' },
      ],
      [{ sequenceNumber: 12, body: '[3]', partitionKey: 'sensor-2' }],
      [{ sequenceNumber: 13, body: '4' }],
    ];
    const p1: Scripted[][] = [
      [{ sequenceNumber: 20, body: '"x"' }],
      [
        { sequenceNumber: 21, body: 'null', properties: { Kind: 'k' } },
        { sequenceNumber: 22, body: '{}' },
      ],
    ];
    await Promise.all([
      hub.feed(
        '0',
        p0.map((b) => b.map(received)),
      ),
      hub.feed(
        '1',
        p1.map((b) => b.map(received)),
      ),
    ]);

    expect(errors).toEqual([]);
    const byPartition = (id: string): InvokeRequest[] => calls.filter((c) => partitionOf(c) === id);
    expect(calls).toHaveLength(5);
    for (const [id, script] of [
      ['0', p0],
      ['1', p1],
    ] as const) {
      const got = byPartition(id);
      expect(got).toHaveLength(script.length);
      script.forEach((batch, i) => {
        const request = got[i]!;
        const local = toTriggerInput(batch.map(localHubEvent), shape, {
          fullyQualifiedNamespace: namespace,
          eventHubName: 'Readings',
          consumerGroup: 'Streamfold',
          partitionId: id,
        });
        expect(request.functionName).toBe('ingest');
        expect(request.triggerData).toEqual(local.triggerData);
        expect(withoutSys(request.triggerMetadata)).toEqual(withoutSys(local.triggerMetadata));
        expect(parsed(request.triggerMetadata?.sys)).toMatchObject({ methodName: 'ingest' });
      });
    }
    const first = byPartition('0')[0]!;
    expect(parsed(first.triggerData)).toEqual([{ v: 1 }, { v: 2 }]);
    expect(parsed(first.triggerMetadata?.partitionContext)).toEqual({
      fullyQualifiedNamespace: namespace,
      eventHubName: 'Readings',
      consumerGroup: 'Streamfold',
      partitionId: '0',
    });
    expect(parsed(first.triggerMetadata?.sequenceNumberArray)).toEqual([10, 11]);
    expect(parsed(first.triggerMetadata?.offsetArray)).toEqual(['1000', '1100']);
    expect(parsed(first.triggerMetadata?.partitionKeyArray)).toEqual(['sensor-1']);
    expect(parsed(first.triggerMetadata?.propertiesArray)).toEqual([{ source: 'a', attempt: 2 }, {}]);
    expect(parsed(first.triggerMetadata?.enqueuedTimeUtcArray)).toEqual([
      '2024-05-01T10:00:10.12',
      '2024-05-01T10:00:11.12',
    ]);

    // Partition 0: checkpointed after its 2nd batch (at its last event, 12), not after the 3rd; partition 1 after its 2nd.
    expect(await checkpointsIn('Readings', 'Streamfold')).toEqual([
      { partitionId: '0', sequenceNumber: 12, offset: '1200' },
      { partitionId: '1', sequenceNumber: 22, offset: '2200' },
    ]);
    await consumer.stop();
  });

  it('cardinality one: one invocation per event, maxBatchSize 1, checkpoint after every batch', async () => {
    const hub = new ScriptedEventHubs();
    const shape: TriggerShape = { functionName: 'single', cardinality: 'one', dataType: 'string' };
    const { invoker, calls, errors } = recordingInvoker(shape);
    const options: EventHubOptions = {
      ...defaultEventHubOptions,
      maxEventBatchSize: 50,
      minEventBatchSize: 5,
      maxWaitTimeMs: 2500,
      initialOffset: { type: 'fromEnd' },
    };
    const consumer = createAzureConsumer({
      connection,
      eventHubName: 'singles',
      consumerGroup: '$Default',
      options,
      settings,
      invoker,
      clientFactory: hub.factory,
    });
    await consumer.start();
    expect(hub.options).toEqual({
      maxBatchSize: 1,
      maxWaitTimeInSeconds: 2.5,
      startPosition: latestEventPosition,
      skipParsingBodyAsJson: true,
    });

    const events: Scripted[] = [
      { sequenceNumber: 5, body: 'plain text', partitionKey: 'k', properties: { Source: 'a' } },
      { sequenceNumber: 6, body: '{"v":6}' },
      { sequenceNumber: 7, body: 'seven' },
    ];
    // The SDK asks for batches of one; a larger batch (not sent by the SDK) would still go one event at a time.
    await hub.feed('3', [[received(events[0]!)], [received(events[1]!), received(events[2]!)]]);

    expect(errors).toEqual([]);
    expect(calls).toHaveLength(3);
    calls.forEach((request, i) => {
      const local = toTriggerInput([localHubEvent(events[i]!)], shape, {
        fullyQualifiedNamespace: namespace,
        eventHubName: 'singles',
        consumerGroup: '$Default',
        partitionId: '3',
      });
      expect(request.triggerData).toEqual({ string: events[i]!.body });
      expect(withoutSys(request.triggerMetadata)).toEqual(withoutSys(local.triggerMetadata));
      expect(parsed(request.triggerMetadata?.sequenceNumber)).toBe(events[i]!.sequenceNumber);
    });
    expect(calls[0]!.triggerMetadata?.partitionKey).toEqual({ string: 'k' });
    expect(parsed(calls[0]!.triggerMetadata?.properties)).toEqual({ source: 'a' });
    expect(await checkpointsIn('singles', '$Default')).toEqual([
      { partitionId: '3', sequenceNumber: 7, offset: '700' },
    ]);
    await consumer.stop();
  });

  it('starts from the enqueued time, ignores empty batches, and reads EntityPath as the hub name', async () => {
    const hub = new ScriptedEventHubs();
    const { invoker, calls } = recordingInvoker({ functionName: 'f', cardinality: 'many' });
    const since = new Date('2024-05-01T09:00:00Z');
    const consumer = createAzureConsumer({
      connection: { ...connection, entityPath: 'from-path' },
      eventHubName: 'from-binding',
      consumerGroup: '$Default',
      options: { ...defaultEventHubOptions, initialOffset: { type: 'fromEnqueuedTime', enqueuedTimeUtc: since } },
      settings,
      invoker,
      clientFactory: hub.factory,
    });
    await consumer.start();
    expect(hub.created?.hubName).toBe('from-path');
    expect(hub.options?.startPosition).toEqual({ enqueuedOn: since });
    await hub.feed('0', [[]]);
    expect(calls).toEqual([]);
    expect(await checkpointsIn('from-path', '$Default')).toEqual([]);
    await consumer.stop();
  });

  it('logs function failures and processError through the invoker, and stop closes the subscription then the client', async () => {
    const hub = new ScriptedEventHubs();
    const { invoker, calls, errors } = recordingInvoker({ functionName: 'ingest', cardinality: 'many' }, (r) =>
      (parsed(r.triggerMetadata?.sequenceNumberArray) as number[]).includes(30),
    );
    const consumer = createAzureConsumer({
      connection,
      eventHubName: 'errors',
      consumerGroup: '$Default',
      options: defaultEventHubOptions,
      settings,
      invoker,
      clientFactory: hub.factory,
    });
    await consumer.start();

    // A failing function is logged and the checkpoint moves past the batch, as the extension does.
    await hub.feed('0', [[received({ sequenceNumber: 30, body: '1' }), received({ sequenceNumber: 31, body: '2' })]]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^Function "ingest" failed on partition 0 of event hub "errors", sequence numbers 30-31 \(2 events\): the function threw\. Moving past the batch/,
      ),
    ]);
    expect(await checkpointsIn('errors', '$Default')).toEqual([
      { partitionId: '0', sequenceNumber: 31, offset: '3100' },
    ]);

    // A checkpoint the real store cannot write (its container is gone) makes processEvents throw: the SDK passes it to processError.
    await new ContainerClient(azurite.connectionString, checkpointContainer).delete();
    try {
      await hub.feed('1', [
        [received({ sequenceNumber: 40, body: '3' })],
        [received({ sequenceNumber: 41, body: '4' })],
      ]);
      expect(calls.map((c) => parsed(c.triggerMetadata?.sequenceNumberArray))).toEqual([[30, 31], [40]]);
      expect(errors[1]).toMatch(/^Event hub "errors" partition 1: .*container does not exist/i);

      // Errors from the service that belong to no partition (e.g. load balancing) come with an empty partition id.
      await hub.handlers!.processError(new Error('Unauthorized access'), { ...hub.context(''), partitionId: '' });
      expect(errors[2]).toBe('Event hub "errors" partition -: Unauthorized access');
    } finally {
      await new ContainerClient(azurite.connectionString, checkpointContainer).createIfNotExists();
    }

    await consumer.stop();
    expect(hub.closed).toEqual(['subscription', 'client']);
  });

  it('fails start naming AzureWebJobsStorage when checkpoints have nowhere to go, before any client is built', async () => {
    const hub = new ScriptedEventHubs();
    const { invoker } = recordingInvoker({ functionName: 'f', cardinality: 'many' });
    const consumer = createAzureConsumer({
      connection,
      eventHubName: 'h',
      consumerGroup: '$Default',
      options: defaultEventHubOptions,
      settings: {},
      invoker,
      clientFactory: hub.factory,
    });
    await expect(consumer.start()).rejects.toThrow(
      /Checkpoints for a real Event Hub are kept in AzureWebJobsStorage: set it/,
    );
    expect(hub.created).toBeUndefined();
  });
});
