import { app, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { DummyEntityContext, type EntityHandler } from 'durable-functions';

import type { StreamState, StreamView } from '../../src/core';
import { BatchMemory } from '../../src/functions/ingest/batchMemory';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { IngestMetricsWriter } from '../../src/functions/ingest/ingestMetricsWriter';
import { PipelineCache } from '../../src/functions/ingest/pipelineCache';
import { WatermarkCache } from '../../src/functions/ingest/watermarkCache';
import { STREAM_ENTITY, type StreamReply } from '../../src/functions/stream/streamContract';

/** What df.app.entity registers: (entityTrigger, context) => EntityState. */
export type RegisteredEntityFunction = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

/** Captures what `register` passes to app.generic (the @azure/functions registration every df.app.* call ends in). */
export function captureRegistration(register: () => void): RegisteredEntityFunction {
  const spy = jest.spyOn(app, 'generic').mockImplementation(() => undefined);
  try {
    register();
    const options = spy.mock.calls.at(-1)?.[1] as { handler?: RegisteredEntityFunction } | undefined;
    if (!options?.handler) throw new Error('nothing was registered');
    return options.handler;
  } finally {
    spy.mockRestore();
  }
}

interface EntityStateOut {
  entityExists: boolean;
  entityState?: string;
  results: { isError: boolean; result?: string }[];
}

/**
 * Stands in for the Durable Task runtime (the Azure part): keeps each entity's state as JSON and runs the entity
 * function exactly as the Functions host would, with the entity trigger input (self, exists, state, batch) and a
 * DummyEntityContext, through durable-functions' own Entity class (state, input and result (de)serialization).
 */
export class EntityDriver {
  readonly states = new Map<string, string>();
  readonly replies: StreamReply[] = [];
  private readonly fn: RegisteredEntityFunction;

  /** Either a handler (wrapped as df.app.entity wraps it) or the registered entity function itself. */
  constructor(handler: EntityHandler<StreamState> | { registered: RegisteredEntityFunction }) {
    this.fn =
      'registered' in handler ? handler.registered : captureRegistration(() => df.app.entity(STREAM_ENTITY, handler));
  }

  /** Ingest's `signal`, running each operation on this driver. */
  readonly signal: IngestDeps['signal'] = async (_context, entity, op) =>
    void (await this.run(entity.key, op.kind, op.input));

  async run(key: string, operationName: string, input?: unknown): Promise<StreamReply> {
    const trigger = {
      self: { name: STREAM_ENTITY, key },
      exists: this.states.has(key),
      state: this.states.get(key) ?? null,
      batch: [{ name: operationName, input: input === undefined ? null : JSON.stringify(input), isSignal: false }],
    };
    const context = new DummyEntityContext<StreamState>(STREAM_ENTITY, `op-${this.replies.length}`, () => undefined);
    const out = (await this.fn(trigger, context)) as EntityStateOut;
    if (out.entityExists && out.entityState !== undefined) this.states.set(key, out.entityState);
    else this.states.delete(key);
    const result = out.results[0];
    if (!result || result.isError || result.result === undefined)
      throw new Error(`entity ${key} ${operationName} failed or returned nothing: ${JSON.stringify(result)}`);
    const reply = JSON.parse(result.result) as StreamReply;
    this.replies.push(reply);
    return reply;
  }
}

/**
 * One ingest process's own parts on `stores`: fresh process-local caches, and a metrics writer that fails the test on
 * a write it could not make.
 */
export function ingestProcess(
  stores: IngestDeps['stores'],
): Pick<IngestDeps, 'stores' | 'metrics' | 'pipelines' | 'watermarks' | 'batches'> {
  return {
    stores,
    metrics: new IngestMetricsWriter(stores.ingestMetrics, (message) => {
      throw new Error(message);
    }),
    pipelines: new PipelineCache(stores.pipelines, 1000),
    watermarks: new WatermarkCache(),
    batches: new BatchMemory(),
  };
}

export const invocationContext = (triggerMetadata: Record<string, unknown>): InvocationContext =>
  new InvocationContext({ functionName: 'ingest', invocationId: 'test', triggerMetadata, logHandler: () => undefined });

/** Hands `bodies` to ingest as one Event Hubs batch of `partition`, sequence numbers from `first`. */
export function deliver(deps: IngestDeps, partition: string, first: number, bodies: unknown[]) {
  const context = invocationContext({
    partitionContext: { partitionId: partition },
    sequenceNumberArray: bodies.map((_, i) => first + i),
    enqueuedTimeUtcArray: bodies.map(() => '2026-11-26T10:04:00'),
  });
  return handleIngest(bodies, context, deps);
}

/** The stream's live view, through the entity's `get` operation. */
export async function view(driver: EntityDriver, key: string): Promise<StreamView> {
  const reply = await driver.run(key, 'get');
  if (!reply.ok || reply.kind !== 'get') throw new Error(JSON.stringify(reply));
  return reply.view;
}
