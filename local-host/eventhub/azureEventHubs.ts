import {
  type CheckpointStore,
  earliestEventPosition,
  EventHubConsumerClient,
  EventHubProducerClient,
  type EventPosition,
  latestEventPosition,
  type ReceivedEventData,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionEventHandlers,
} from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { DefaultAzureCredential } from '@azure/identity';
import { ContainerClient } from '@azure/storage-blob';

import { appError, configError } from '../errors';
import type { EventHubOptions } from './eventHubOptions';
import { fromReceivedEvent } from './fromReceivedEvent';
import { type BatchInvoker, invokeBatch } from './invokeBatch';
import type { HubConnection } from './resolveConnection';

/**
 * The trigger and output binding against a real Event Hubs namespace or the official emulator. The
 * Event Hubs clients can be injected so the host side (subscribe options, trigger input, checkpoints in a
 * real blob store via Azurite, errors, batching of sends) is tested with a stand-in only for the service
 * (test/local-host/eventhub/azureConsumer.test.ts, azureEventHubs.test.ts); the AMQP connection itself cannot run here (no Azure,
 * no Docker for the emulator). minEventBatchSize is approximated: the SDK waits up to maxWaitTime for
 * maxEventBatchSize events instead.
 */
export type RealConnection = Exclude<HubConnection, { kind: 'local' }>;

/** The part of EventHubConsumerClient the consumer uses. */
export interface ConsumerClientLike {
  subscribe(handlers: SubscriptionEventHandlers, options?: SubscribeOptions): Pick<Subscription, 'close'>;
  close(): Promise<void>;
}

export type ConsumerClientFactory = (
  consumerGroup: string,
  hubName: string,
  checkpointStore: CheckpointStore,
) => ConsumerClientLike;

function realConsumerClient(connection: RealConnection): ConsumerClientFactory {
  return (consumerGroup, hubName, store) =>
    connection.kind === 'connectionString'
      ? new EventHubConsumerClient(consumerGroup, connection.connectionString, hubName, store)
      : new EventHubConsumerClient(
          consumerGroup,
          connection.fullyQualifiedNamespace,
          hubName,
          new DefaultAzureCredential(),
          store,
        );
}

/** The container the Event Hubs extension keeps checkpoints and ownership in. */
const checkpointContainer = 'azure-webjobs-eventhub';

function checkpointContainerClient(settings: Readonly<Record<string, string | undefined>>): ContainerClient {
  const connection = settings.AzureWebJobsStorage?.trim();
  if (connection) return new ContainerClient(connection, checkpointContainer);
  const account = settings.AzureWebJobsStorage__accountName;
  const blobUri =
    settings.AzureWebJobsStorage__blobServiceUri ?? (account ? `https://${account}.blob.core.windows.net` : undefined);
  if (!blobUri) {
    throw configError(
      'Checkpoints for a real Event Hub are kept in AzureWebJobsStorage: set it to a connection string, or AzureWebJobsStorage__accountName (or __blobServiceUri) for identity-based access.',
    );
  }
  return new ContainerClient(`${blobUri.replace(/\/$/, '')}/${checkpointContainer}`, new DefaultAzureCredential());
}

function startPosition(options: EventHubOptions): EventPosition {
  const initial = options.initialOffset;
  if (initial.type === 'fromEnd') return latestEventPosition;
  if (initial.type === 'fromEnqueuedTime') return { enqueuedOn: initial.enqueuedTimeUtc };
  return earliestEventPosition;
}

export interface AzureConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAzureConsumer(args: {
  connection: RealConnection;
  eventHubName: string;
  consumerGroup: string;
  options: EventHubOptions;
  settings: Readonly<Record<string, string | undefined>>;
  invoker: BatchInvoker;
  /** Builds the Event Hubs client; default: the real EventHubConsumerClient for `connection`. */
  clientFactory?: ConsumerClientFactory;
}): AzureConsumer {
  const { connection, options, invoker } = args;
  const clientFactory = args.clientFactory ?? realConsumerClient(connection);
  const hubName =
    connection.kind === 'connectionString' ? (connection.entityPath ?? args.eventHubName) : args.eventHubName;
  let client: ConsumerClientLike | undefined;
  let subscription: Pick<Subscription, 'close'> | undefined;
  const batchesSinceCheckpoint = new Map<string, number>();
  return {
    async start() {
      const container = checkpointContainerClient(args.settings);
      await container.createIfNotExists();
      const store = new BlobCheckpointStore(container);
      client = clientFactory(args.consumerGroup, hubName, store);
      subscription = client.subscribe(
        {
          processEvents: async (received: ReceivedEventData[], context) => {
            if (received.length === 0) return;
            const events = received.map((e) => fromReceivedEvent({ ...e, partitionKey: e.partitionKey ?? null }));
            const partition = {
              fullyQualifiedNamespace: context.fullyQualifiedNamespace,
              eventHubName: context.eventHubName,
              consumerGroup: context.consumerGroup,
              partitionId: context.partitionId,
            };
            if (invoker.shape.cardinality === 'one') {
              for (const event of events) await invokeBatch(invoker, [event], partition);
            } else {
              await invokeBatch(invoker, events, partition);
            }
            const count = (batchesSinceCheckpoint.get(context.partitionId) ?? 0) + 1;
            if (count >= options.batchCheckpointFrequency) {
              await context.updateCheckpoint(received[received.length - 1] as ReceivedEventData);
              batchesSinceCheckpoint.set(context.partitionId, 0);
            } else {
              batchesSinceCheckpoint.set(context.partitionId, count);
            }
          },
          processError: async (err, context) => {
            invoker.logError(`Event hub "${hubName}" partition ${context.partitionId || '-'}: ${err.message}`);
          },
        },
        {
          maxBatchSize: invoker.shape.cardinality === 'one' ? 1 : options.maxEventBatchSize,
          maxWaitTimeInSeconds: options.minEventBatchSize > 1 ? options.maxWaitTimeMs / 1000 : 1,
          startPosition: startPosition(options),
          skipParsingBodyAsJson: true,
        },
      );
    },
    async stop() {
      await subscription?.close();
      await client?.close();
    },
  };
}

export interface AzureProducer {
  send(bodies: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

/** The parts of EventDataBatch and EventHubProducerClient the producer uses. */
export interface EventBatchLike {
  readonly count: number;
  readonly maxSizeInBytes: number;
  tryAdd(event: { body: Buffer }): boolean;
}

export interface ProducerClientLike {
  createBatch(): Promise<EventBatchLike>;
  /** Only ever given a batch from this client's createBatch (the real client needs its own EventDataBatch). */
  sendBatch(batch: EventBatchLike): Promise<void>;
  close(): Promise<void>;
}

function realProducerClient(connection: RealConnection, eventHubName: string): ProducerClientLike {
  return connection.kind === 'connectionString'
    ? new EventHubProducerClient(connection.connectionString, connection.entityPath ?? eventHubName)
    : new EventHubProducerClient(connection.fullyQualifiedNamespace, eventHubName, new DefaultAzureCredential());
}

/** `client` defaults to the real EventHubProducerClient for `connection`. */
export function createAzureProducer(
  connection: RealConnection,
  eventHubName: string,
  client: ProducerClientLike = realProducerClient(connection, eventHubName),
): AzureProducer {
  return {
    async send(bodies) {
      let batch = await client.createBatch();
      for (const body of bodies) {
        if (batch.tryAdd({ body })) continue;
        if (batch.count === 0)
          throw appError(
            `An event of ${body.length} bytes is larger than the Event Hub allows (${batch.maxSizeInBytes} bytes per batch).`,
          );
        await client.sendBatch(batch);
        batch = await client.createBatch();
        if (!batch.tryAdd({ body }))
          throw appError(
            `An event of ${body.length} bytes is larger than the Event Hub allows (${batch.maxSizeInBytes} bytes per batch).`,
          );
      }
      if (batch.count > 0) await client.sendBatch(batch);
    },
    close: () => client.close(),
  };
}
