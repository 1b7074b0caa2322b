import { POISON_MARKER } from '../../src/functions/ingest/faultInjection';
import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * A batch with one event the pipeline throws on (the STREAMFOLD_FAULTS `poisonEvent` hook, tests only), on the local
 * host, whose Event Hubs trigger retries the batch with a retryContext as the Functions host does: after
 * POISON_AFTER_RETRIES retries ingest bisects the batch, the event ends as a `poison` dead letter, and every other event
 * is counted exactly once.
 */

const T = Date.parse('2026-03-01T00:00:00Z');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ STREAMFOLD_FAULTS: 'poisonEvent:1000000' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const body = (stream: string, second: number, value: number, poison = false) =>
  poison
    ? `{${POISON_MARKER},"stream":"${stream}","time":"${new Date(T + second * 1000).toISOString()}","value":${value}}`
    : JSON.stringify({ stream, time: new Date(T + second * 1000).toISOString(), value });

describe('poison-batch bisection on the local host', () => {
  it('dead-letters the one event the pipeline throws on as poison; every other event of the batch is counted exactly', async () => {
    const definition = { measures: { v: 'value' }, window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT1H' };
    expect(
      (
        await stack.api('/api/pipelines/poison', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(definition),
        })
      ).status,
    ).toBe(201);
    await pollApi(
      stack,
      '/api/streams/poison/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([{ body: body('probe', 0, 0), partition: 1 }]);
      },
    );
    const events = Array.from({ length: 40 }, (_, i) => ({ body: body('s', i, i + 1, i === 17), partition: 0 }));
    await stack.send(events);

    const dead = await pollApi(stack, '/api/deadletters?reason=poison', (r) => {
      const items = (r.json as { items: { raw: string; detail: string; partition: string; sequenceNumber: number }[] })
        .items;
      return items.length > 0 ? items : undefined;
    });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      raw: events[17]?.body,
      partition: '0',
      sequenceNumber: (stack.sent.get('0') ?? []).indexOf(events[17]?.body ?? ''),
    });
    expect(dead[0]?.detail).toMatch(
      /the pipeline threw on this event \(isolated by bisecting a batch of \d+ that failed 3 times\): injected poison event/,
    );

    const view = (await stack.api('/api/streams/poison/s')).json as {
      events: number;
      totals: Record<string, { count: number; sum: number }>;
    };
    expect(view.events).toBe(39);
    expect(view.totals['v']).toMatchObject({ count: 39, sum: (40 * 41) / 2 - 18 });
    const metrics = await pollApi(stack, '/api/metrics?minutes=10', (r) => {
      const m = r.json as { poison: number; retried: number; deadLettered: number };
      return m.poison === 1 ? m : undefined;
    });
    expect(metrics.deadLettered).toBe(1);
    expect(metrics.retried).toBeGreaterThanOrEqual(2);
    const output = stack.host.output();
    expect(output).toMatch(/Retry 2 in \d+ ms/);
    expect(output).toMatch(/bisected in \d+ core runs: 1 event\(s\) dead-lettered as poison/);
  });
});
