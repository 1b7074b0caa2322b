import { join } from 'node:path';

import { appError, configError, ensureError, HostSystemError, isUserError } from '../errors';
import type { BindingInfo, HostContext, HostExtension, HostFunction, RpcTypedData } from '../extension';
import { type AzureConsumer, type AzureProducer, createAzureConsumer, createAzureProducer } from './azureEventHubs';
import { type EventHubOptions, eventHubOptionsFromHostJson } from './eventHubOptions';
import type { FsyncPolicy } from './filePartitionLog';
import { type BatchInvoker, invokeBatch } from './invokeBatch';
import { LocalHub } from './localHub';
import { outputToBodies } from './outputToBodies';
import { PartitionPump } from './partitionPump';
import { type HubConnection, resolveConnection } from './resolveConnection';
import { maxRetryCountOf, retrySchedule } from './retryPolicy';
import { createHubRouteHandler, type HubConsumerView, hubRouteKeyLevel, hubRoutePrefix } from './routes';
import type { TriggerShape } from './toTriggerInput';

const localNamespace = 'localhost';
const defaultPartitionCount = 4;

interface TriggerPlan {
  fn: HostFunction;
  binding: BindingInfo;
  hubName: string;
  consumerGroup: string;
  connection: HubConnection;
}

function stringOption(fn: HostFunction, binding: BindingInfo, key: string, required: boolean): string | undefined {
  const value = binding[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw appError(`Function "${fn.name}": eventHub binding "${binding.name}" needs a "${key}" option.`);
    return undefined;
  }
  if (typeof value !== 'string')
    throw appError(
      `Function "${fn.name}": eventHub binding "${binding.name}" option "${key}" must be a string; found ${JSON.stringify(value)}.`,
    );
  return value;
}

function partitionCountFor(hub: string, settings: Readonly<Record<string, string | undefined>>): number {
  const key = [`LocalEventHub__${hub}__PartitionCount`, 'LocalEventHub__PartitionCount'].find(
    (k) => settings[k] !== undefined && settings[k] !== '',
  );
  if (!key) return defaultPartitionCount;
  const value = Number(settings[key]);
  if (!Number.isInteger(value) || value < 1 || value > 1024)
    throw configError(
      `Setting ${key} must be a whole number of partitions from 1 to 1024; found ${JSON.stringify(settings[key])}.`,
    );
  return value;
}

function fsyncPolicy(settings: Readonly<Record<string, string | undefined>>): FsyncPolicy {
  const value = (settings.LocalEventHub__Fsync ?? 'always').toLowerCase();
  if (value !== 'always' && value !== 'never')
    throw configError(
      `Setting LocalEventHub__Fsync must be "always" or "never"; found ${JSON.stringify(settings.LocalEventHub__Fsync)}.`,
    );
  return value;
}

/**
 * Event Hubs for the local host: eventHubTrigger and eventHub (output). A binding whose connection setting
 * is missing, empty or `UseLocalEventHub=true` uses a local partitioned hub persisted under
 * <dataDir>/eventhubs/<hub>/ (in memory with the memory store); a real connection string, the emulator or
 * `<conn>__fullyQualifiedNamespace` uses Azure Event Hubs through @azure/event-hubs.
 */
export function createEventHubExtension(): HostExtension {
  let ctx: HostContext | undefined;
  let options: EventHubOptions | undefined;
  const hubs = new Map<string, LocalHub>();
  const triggers: TriggerPlan[] = [];
  const pumps: { plan: TriggerPlan; checkpointGroup: string; byPartition: Map<string, PartitionPump> }[] = [];
  const azureConsumers: AzureConsumer[] = [];
  const azureProducers = new Map<string, AzureProducer>();

  const connectionOf = (fn: HostFunction, binding: BindingInfo): HubConnection => {
    const name = stringOption(fn, binding, 'connection', false) ?? '';
    try {
      return name ? resolveConnection(name, ctx!.settings) : { kind: 'local' };
    } catch (err) {
      throw configError(`Function "${fn.name}", binding "${binding.name}": ${ensureError(err).message}`);
    }
  };

  const localHub = (name: string): LocalHub => {
    const key = name.toLowerCase();
    let hub = hubs.get(key);
    if (!hub) {
      const c = ctx!;
      try {
        hub = new LocalHub({
          name,
          partitionCount: partitionCountFor(name, c.settings),
          dir: c.store === 'memory' ? undefined : join(c.dataDir, 'eventhubs', encodeURIComponent(key)),
          fsync: fsyncPolicy(c.settings),
          onWarning: (m) => c.logger.warn(m),
        });
      } catch (err) {
        if (isUserError(err)) throw err;
        throw configError(ensureError(err).message);
      }
      hubs.set(key, hub);
    }
    return hub;
  };

  const invokerFor = (plan: TriggerPlan): BatchInvoker => {
    const cardinality = plan.binding.cardinality === 'many' ? 'many' : 'one';
    const dataType = typeof plan.binding.dataType === 'string' ? plan.binding.dataType : undefined;
    const shape: TriggerShape = { functionName: plan.fn.name, cardinality, dataType };
    const maxRetryCount = maxRetryCountOf(plan.fn.retryOptions);
    return {
      shape,
      retry: retrySchedule(plan.fn.retryOptions),
      ...(maxRetryCount === undefined ? {} : { maxRetryCount }),
      invoke: (req) => ctx!.invoke(req),
      logError: (m) => ctx!.logger.error(m),
    };
  };

  const consumerViews = (): HubConsumerView[] =>
    pumps.map((p) => ({
      functionName: p.plan.fn.name,
      consumerGroup: p.plan.consumerGroup,
      checkpointGroup: p.checkpointGroup,
      hub: hubs.get(p.plan.hubName.toLowerCase())!,
      position: (id) => p.byPartition.get(id)?.position ?? 0,
    }));

  return {
    name: 'eventHubs',
    bindingTypes: ['eventHubTrigger', 'eventHub'],

    async init(context) {
      ctx = context;
      try {
        options = eventHubOptionsFromHostJson(context.hostJson);
      } catch (err) {
        if (isUserError(err)) throw err;
        throw configError(ensureError(err).message);
      }
      for (const fn of context.functions) {
        for (const binding of fn.bindings) {
          if (binding.type !== 'eventHubTrigger' && binding.type !== 'eventHub') continue;
          const hubName = stringOption(fn, binding, 'eventHubName', true)!;
          const connection = connectionOf(fn, binding);
          if (connection.kind === 'local') localHub(hubName);
          if (binding.type === 'eventHubTrigger') {
            triggers.push({
              fn,
              binding,
              hubName,
              connection,
              consumerGroup: stringOption(fn, binding, 'consumerGroup', false) ?? '$Default',
            });
          }
        }
      }
      context.route(
        hubRoutePrefix,
        createHubRouteHandler(() => hubs, consumerViews),
        hubRouteKeyLevel,
      );
    },

    async start() {
      const c = ctx!;
      const shared = new Map<string, number>();
      for (const t of triggers) {
        if (t.connection.kind === 'local')
          shared.set(
            `${t.hubName.toLowerCase()}/${t.consumerGroup}`,
            (shared.get(`${t.hubName.toLowerCase()}/${t.consumerGroup}`) ?? 0) + 1,
          );
      }
      for (const plan of triggers) {
        const invoker = invokerFor(plan);
        if (plan.connection.kind !== 'local') {
          const consumer = createAzureConsumer({
            connection: plan.connection,
            eventHubName: plan.hubName,
            consumerGroup: plan.consumerGroup,
            options: options!,
            settings: c.settings,
            invoker,
          });
          await consumer.start();
          azureConsumers.push(consumer);
          c.logger.info(
            `Function "${plan.fn.name}" consumes Azure event hub "${plan.hubName}" (${plan.consumerGroup}).`,
          );
          continue;
        }
        const hub = hubs.get(plan.hubName.toLowerCase())!;
        let checkpointGroup = plan.consumerGroup;
        if ((shared.get(`${plan.hubName.toLowerCase()}/${plan.consumerGroup}`) ?? 0) > 1) {
          // In Azure two functions on one consumer group would steal partitions from each other; locally each gets every event.
          checkpointGroup = `${plan.consumerGroup}@${plan.fn.name}`;
          c.logger.warn(
            `Functions share consumer group "${plan.consumerGroup}" of event hub "${plan.hubName}"; in Azure they would compete for partitions. Locally "${plan.fn.name}" keeps its own checkpoints ("${checkpointGroup}").`,
          );
        }
        const byPartition = new Map<string, PartitionPump>();
        for (const log of hub.partitions) {
          const pump = new PartitionPump({
            hub,
            log,
            options: options!,
            checkpointGroup,
            checkpoints: hub.checkpoints,
            invoker,
            partitionContext: {
              fullyQualifiedNamespace: localNamespace,
              eventHubName: hub.name,
              consumerGroup: plan.consumerGroup,
              partitionId: log.partitionId,
            },
          });
          byPartition.set(log.partitionId, pump);
        }
        pumps.push({ plan, checkpointGroup, byPartition });
        for (const pump of byPartition.values()) pump.start();
        c.logger.debug(
          `Function "${plan.fn.name}" consumes local event hub "${hub.name}" (${hub.partitions.length} partitions, ${plan.consumerGroup}).`,
        );
      }
    },

    async stop() {
      // Every step runs whatever an earlier one failed with (a last checkpoint that cannot be written must not
      // leave clients and log files open); consumers stop before producers, since a batch in flight may send.
      const running = pumps.splice(0).flatMap((p) => [...p.byPartition.values()]);
      const outcomes = await Promise.allSettled(running.map((pump) => pump.stop()));
      outcomes.push(...(await Promise.allSettled(azureConsumers.splice(0).map((consumer) => consumer.stop()))));
      outcomes.push(...(await Promise.allSettled([...azureProducers.values()].map((producer) => producer.close()))));
      azureProducers.clear();
      for (const hub of hubs.values()) hub.close();
      hubs.clear();
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    },

    async handleOutput(fn, binding, data: RpcTypedData) {
      const bodies = outputToBodies(data);
      if (bodies.length === 0) return;
      const hubName = stringOption(fn, binding, 'eventHubName', true)!;
      const connection = connectionOf(fn, binding);
      if (connection.kind === 'local') {
        const hub = hubs.get(hubName.toLowerCase());
        if (!hub) throw new HostSystemError(`Event hub "${hubName}" is not open (the host is stopping).`);
        await hub.append(bodies.map((body) => ({ body })));
        return;
      }
      const key = `${fn.name}/${binding.name}`;
      let producer = azureProducers.get(key);
      if (!producer) azureProducers.set(key, (producer = createAzureProducer(connection, hubName)));
      await producer.send(bodies);
    },

    async invokeByAdmin(fn, input) {
      // As the extension's ConvertFromString: the admin input becomes one event's body.
      const plan = triggers.find((t) => t.fn === fn || t.fn.name === fn.name);
      if (!plan) throw appError(`Function "${fn.name}" has no eventHubTrigger.`);
      const body = Buffer.from(typeof input === 'string' ? input : JSON.stringify(input ?? null), 'utf8');
      const event = {
        body,
        sequenceNumber: 0,
        offset: '0',
        enqueuedTime: new Date(),
        partitionKey: null,
        properties: {},
      };
      // Partition "$admin" keeps this event apart from real partitions in anything keyed by partition and sequence number.
      // A failure is logged by invokeBatch; the admin caller only learns the run was accepted.
      await invokeBatch({ ...invokerFor(plan), retry: () => undefined }, [event], {
        fullyQualifiedNamespace: localNamespace,
        eventHubName: plan.hubName,
        consumerGroup: plan.consumerGroup,
        partitionId: '$admin',
      });
    },
  };
}
