import { InvocationContext } from '@azure/functions';
import { DummyEntityContext, type EntityHandler } from 'durable-functions';

import type { StreamState } from '../../src/core';
import type { StreamReply } from '../../src/functions/streamEntity';

/**
 * Stands in for the Durable Task runtime (the Azure part): keeps each entity's state as JSON and runs the real entity
 * handler with a DummyEntityContext whose `df` serves that state, as the durable-functions Entity class does.
 */
export class EntityDriver {
  readonly states = new Map<string, string>();
  readonly replies: StreamReply[] = [];

  constructor(private readonly handler: EntityHandler<StreamState>) {}

  async run(key: string, operationName: string, input?: unknown): Promise<StreamReply> {
    const context = new DummyEntityContext<StreamState>('stream', undefined, () => undefined);
    let reply: StreamReply | undefined;
    const inputText = input === undefined ? undefined : JSON.stringify(input);
    context.df = {
      entityName: 'stream',
      entityKey: key,
      entityId: { name: 'stream', key } as never,
      operationName,
      isNewlyConstructed: !this.states.has(key),
      getState: (init?: () => StreamState) => {
        const text = this.states.get(key);
        return text === undefined ? init?.() : (JSON.parse(text) as StreamState);
      },
      setState: (state: StreamState) => void this.states.set(key, JSON.stringify(state)),
      getInput: <T>() => (inputText === undefined ? undefined : (JSON.parse(inputText) as T)),
      return: (value: unknown) => void (reply = value as StreamReply),
      destructOnExit: () => void this.states.delete(key),
      signalEntity: () => undefined,
    };
    await this.handler(context);
    if (!reply) throw new Error(`entity ${key} ${operationName} returned nothing`);
    this.replies.push(reply);
    return reply;
  }
}

export const invocationContext = (triggerMetadata: Record<string, unknown>): InvocationContext =>
  new InvocationContext({ functionName: 'ingest', invocationId: 'test', triggerMetadata, logHandler: () => undefined });
