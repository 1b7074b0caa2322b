import { putPipeline } from '../../src/functions/api/pipelines';
import { MAX_TEST_EVENTS, testPipeline } from '../../src/functions/api/testPipeline';
import { createMemoryStores } from '../../src/storage/createStores';
import type { Stores } from '../../src/storage/types';
import { call, useDeps } from './apiTestKit';

let stores: Stores;
beforeEach(() => {
  stores = createMemoryStores();
  useDeps(stores);
});

const definition = {
  match: 'kind == "reading"',
  filter: 'value >= 0',
  key: 'device',
  measures: { temp: 'value' },
  window: { type: 'tumbling', size: 'PT1M' },
};

// The test clock is 2024-05-01T10:05:30Z (apiTestKit).
const events: unknown[] = [
  { kind: 'reading', device: 'd1', time: '2024-05-01T10:00:10Z', value: 20 },
  { kind: 'reading', device: 'd1', time: '2024-05-01T10:00:50Z', value: 22 },
  { kind: 'reading', device: 'd2', time: '2024-05-01T10:01:05Z', value: 5 },
  { kind: 'other', device: 'd1', value: 1 },
  { kind: 'reading', device: 'd1', time: '2024-05-01T10:00:20Z', value: -3 },
  { kind: 'reading', device: 'd1', time: '2024-05-01T10:00:30Z', value: 'hot' },
  '{not json',
  { kind: 'reading', time: '2024-05-01T10:00:30Z', value: 1 },
];

describe('POST /api/pipelines/test', () => {
  it('returns a verdict per event and the windows, and stores nothing', async () => {
    const res = await call(testPipeline, { method: 'POST', path: 'pipelines/test', body: { definition, events } });
    expect(res.status).toBe(200);
    const body = res.json as {
      pipeline: string;
      verdicts: Record<string, unknown>[];
      streams: {
        stream: string;
        events: number;
        windows: { start: string; events: number; measures: { temp: { sum: number; max: number } } }[];
      }[];
      counts: Record<string, number>;
    };
    expect(body.pipeline).toBe('test');
    expect(body.verdicts.map((v) => v['outcome'])).toEqual([
      'aggregated',
      'aggregated',
      'aggregated',
      'unmatched',
      'filtered',
      'deadLettered',
      'deadLettered',
      'deadLettered',
    ]);
    expect(body.verdicts[0]).toEqual({
      index: 0,
      outcome: 'aggregated',
      stream: 'd1',
      time: '2024-05-01T10:00:10.000Z',
      windowStarts: ['2024-05-01T10:00:00.000Z'],
      values: { temp: 20 },
    });
    expect(body.verdicts[3]).toMatchObject({
      outcome: 'unmatched',
      expression: 'kind == "reading"',
      missingField: false,
    });
    expect(body.verdicts[4]).toMatchObject({ outcome: 'filtered', expression: 'value >= 0' });
    // The filter compares a string with a number: an evaluation error, dead-lettered naming the filter and the stream.
    expect(body.verdicts[5]).toMatchObject({ outcome: 'deadLettered', reason: 'expression', stream: 'd1' });
    expect(String(body.verdicts[5]?.['detail'])).toContain('filter "value >= 0"');
    expect(body.verdicts[6]).toMatchObject({ outcome: 'deadLettered', reason: 'invalid-json' });
    expect(body.verdicts[7]).toMatchObject({ outcome: 'deadLettered', reason: 'schema' });
    expect(String(body.verdicts[7]?.['detail'])).toContain('key "device"');
    const d1 = body.streams.find((s) => s.stream === 'd1');
    expect(d1?.events).toBe(2);
    expect(d1?.windows).toHaveLength(1);
    expect(d1?.windows[0]).toMatchObject({
      start: '2024-05-01T10:00:00.000Z',
      events: 2,
      measures: { temp: { sum: 42, max: 22 } },
    });
    expect(body.counts).toMatchObject({ eventsIn: 8, aggregated: 3, filtered: 2, deadLettered: 3 });
    expect(await stores.pipelines.list()).toEqual([]);
  });

  it('answers an invalid definition with the same 400 problem as PUT', async () => {
    const bad = { ...definition, window: { type: 'tumbling', size: 'one minute' } };
    const tested = await call(testPipeline, {
      method: 'POST',
      path: 'pipelines/test',
      body: { definition: bad, events: [{}] },
    });
    const put = await call(putPipeline, { method: 'PUT', path: 'pipelines/test', params: { name: 'test' }, body: bad });
    expect(tested.status).toBe(400);
    expect(tested.contentType).toBe('application/problem+json');
    expect((tested.json as { errors: unknown[] }).errors).toEqual((put.json as { errors: unknown[] }).errors);
    expect((tested.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['window.size']);
  });

  it('names the field when events are missing, too many or the body too large', async () => {
    const none = await call(testPipeline, { method: 'POST', path: 'pipelines/test', body: { definition } });
    expect(none.status).toBe(400);
    expect((none.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['events']);
    const many = await call(testPipeline, {
      method: 'POST',
      path: 'pipelines/test',
      body: { definition, events: Array.from({ length: MAX_TEST_EVENTS + 1 }, () => ({})) },
    });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.json)).toContain(`expected at most ${MAX_TEST_EVENTS} events`);
    const large = await call(testPipeline, {
      method: 'POST',
      path: 'pipelines/test',
      body: { definition, events: [{ pad: 'x'.repeat(1_000_001) }] },
    });
    expect(large.status).toBe(413);
    expect((large.json as { errors: { field: string }[] }).errors[0]?.field).toBe('(body)');
  });

  it('dead-letters an expression that exceeds the CEL cost limit, as ingest does', async () => {
    // `in` rescans the list per element: quadratic, stopped by the per-event budget.
    const costly = { key: 'device', filter: 'xs.all(x, x in xs)', measures: { n: 'value' } };
    const xs = Array.from({ length: 50_000 }, (_, i) => i);
    const res = await call(testPipeline, {
      method: 'POST',
      path: 'pipelines/test',
      body: {
        definition: costly,
        events: [
          { device: 'd', value: 1, xs },
          { device: 'd', value: 2, xs: [1] },
        ],
      },
    });
    expect(res.status).toBe(200);
    const verdicts = (res.json as { verdicts: Record<string, unknown>[] }).verdicts;
    expect(verdicts[0]).toMatchObject({
      outcome: 'deadLettered',
      reason: 'expression',
      detail: expect.stringMatching(/cost budget/),
    });
    expect(verdicts[1]).toMatchObject({ outcome: 'aggregated', values: { n: 2 } });
  });
});
