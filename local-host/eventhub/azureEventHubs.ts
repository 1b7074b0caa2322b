import { earliestEventPosition, EventHubConsumerClient, EventHubProducerClient, type EventPosition, latestEventPosition, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { DefaultAzureCredential } from '@azure/identity';
import { ContainerClient } from '@azure/storage-blob';

import { appError, configError } from '../errors';
import type { EventHubOptions } from './eventHubOptions';
import { fromReceivedEvent } from './fromReceivedEvent';
import { type BatchInvoker, invokeBatch } from './invokeBatch';
import type { HubConnection } from './resolveConnection';

/**
 * The trigger and output binding against a real Event Hubs namespace or the official emulator. Not
 * exercised by tests here (no Azure, no Docker): it reuses the tested conversion (fromReceivedEvent ->
 * toTriggerInput) and invokeBatch. minEventBatchSize is approximated: the SDK waits up to maxWaitTime
 * for maxEventBatchSize events instead.
 */
export type RealConnection = Exclude<HubConnection, { kind: 'local' }>;

/** The container the Event Hubs extension keeps checkpoints and ownership in. */
const checkpointContainer = 'azure-webjobs-eventhub';

function checkpointContainerClient(settings: Readonly<Record<string, string | undefined>>): ContainerClient {
  const connection = settings.AzureWebJobsStorage?.trim();
  if (connection) return new ContainerClient(connection, checkpointContainer);
  const account = settings.AzureWebJobsStorage__accountName;
  const blobUri = settings.AzureWebJobsStorage__blobServiceUri ?? (account ? `https://${account}.blob.core.windows.net` : undefined);
  if (!blobUri) {
    throw configError('Checkpoints for a real Event Hub are kept in AzureWebJobsStorage: set it to a connection string, or AzureWebJobsStorage__accountName (or __blobServiceUri) for identity-based access.');
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
}): AzureConsumer {
  const { connection, options, invoker } = args;
  const hubName = connection.kind === 'connectionString' ? (connection.entityPath ?? args.eventHubName) : args.eventHubName;
  let client: EventHubConsumerClient | undefined;
  let subscription: Subscription | undefined;
  const batchesSinceCheckpoint = new Map<string, number>();
  return {
    async start() {
      const container = checkpointContainerClient(args.settings);
      await container.createIfNotExists();
      const store = new BlobCheckpointStore(container);
      client =
        connection.kind === 'connectionString'
          ? new EventHubConsumerClient(args.consumerGroup, connection.connectionString, hubName, store)
          : new EventHubConsumerClient(args.consumerGroup, connection.fullyQualifiedNamespace, hubName, new DefaultAzureCredential(), store);
      subscription = client.subscribe(
        {
          processEvents: async (received: ReceivedEventData[], context) => {
            if (received.length === 0) return;
            const events = received.map((e) => fromReceivedEvent({ ...e, partitionKey: e.partitionKey ?? null }));
            const partition = { fullyQualifiedNamespace: context.fullyQualifiedNamespace, eventHubName: context.eventHubName, consumerGroup: context.consumerGroup, partitionId: context.partitionId };
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

export function createAzureProducer(connection: RealConnection, eventHubName: string): AzureProducer {
  const client =
    connection.kind === 'connectionString'
      ? new EventHubProducerClient(connection.connectionString, connection.entityPath ?? eventHubName)
      : new EventHubProducerClient(connection.fullyQualifiedNamespace, eventHubName, new DefaultAzureCredential());
  return {
    async send(bodies) {
      let batch = await client.createBatch();
      for (const body of bodies) {
        if (batch.tryAdd({ body })) continue;
        if (batch.count === 0) throw appError(`An event of ${body.length} bytes is larger than the Event Hub allows (${batch.maxSizeInBytes} bytes per batch).`);
        await client.sendBatch(batch);
        batch = await client.createBatch();
        if (!batch.tryAdd({ body })) throw appError(`An event of ${body.length} bytes is larger than the Event Hub allows (${batch.maxSizeInBytes} bytes per batch).`);
      }
      if (batch.count > 0) await client.sendBatch(batch);
    },
    close: () => client.close(),
  };
}
