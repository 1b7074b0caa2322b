import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { processBatch } from './processBatch';
import type { BatchInput } from './types';

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const p = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1H' }, lateness: 'PT5M' });
const ENQUEUED = Date.parse('2026-12-07T04:00:00Z');
const HOUR = 3_600_000;

function run(times: (string | number)[], extra: Partial<BatchInput> = {}) {
  return processBatch({
    bodies: times.map((time, i) => JSON.stringify({ stream: 's', time, value: i })),
    partitionId: '0',
    sequenceNumbers: times.map((_, i) => i),
    enqueuedTimes: times.map(() => ENQUEUED),
    pipelines: [p],
    // The wall clock is days later: a redelivery long after the first delivery must get the same verdict.
    now: ENQUEUED + 30 * 24 * HOUR,
    ...extra,
  });
}

describe('event-time bounds', () => {
  it('dead-letters an event later than its enqueued time + MAX_FUTURE_SKEW (default PT1H) as future; it moves no watermark', () => {
    const r = run(['9999-01-01T00:00:00Z', ENQUEUED - HOUR, ENQUEUED + HOUR, ENQUEUED + HOUR + 1, ENQUEUED - 2 * HOUR]);
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.stream])).toEqual([
      [0, 'future', 's'],
      [3, 'future', 's'],
    ]);
    expect(r.deadLetters[0]?.detail).toBe(
      'event time 9999-01-01T00:00:00.000Z is later than its enqueued time 2026-12-07T04:00:00.000Z + MAX_FUTURE_SKEW 3600000 ms: expected a time at or before 2026-12-07T05:00:00.000Z',
    );
    const partial = r.partials[0];
    // The other events are on time; the partial's max event time (which becomes the partition's watermark) ignores 9999.
    expect([partial?.events, partial?.late, partial?.invalid, partial?.maxEventTime]).toEqual([
      3,
      0,
      2,
      ENQUEUED + HOUR,
    ]);
    expect(r.metrics.byReason.future).toBe(2);
  });

  it('uses the enqueued time, not the wall clock, and honours a configured skew', () => {
    const times = [ENQUEUED + 10 * 60_000, ENQUEUED + 20 * 60_000];
    const now = ENQUEUED - 24 * HOUR;
    expect(run(times, { now }).partials[0]?.events).toBe(2);
    const tight = run(times, { now, maxFutureSkewMs: 15 * 60_000 });
    expect(tight.deadLetters.map((d) => [d.sequenceNumber, d.reason])).toEqual([[1, 'future']]);
  });

  it('with MIN_EVENT_TIME, dead-letters an earlier event as schema naming the floor; without it, old histories are fine', () => {
    const times = ['1985-06-01T00:00:00Z', '2001-01-01T00:00:00Z'];
    expect(run(times).partials[0]?.events).toBe(2);
    const floored = run(times, { minEventTime: Date.parse('2000-01-01T00:00:00Z') });
    expect(floored.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      [
        0,
        'schema',
        'event time 1985-06-01T00:00:00.000Z is before MIN_EVENT_TIME 2000-01-01T00:00:00.000Z: expected a time at or after it',
      ],
    ]);
  });

  it('dead-letters impossible calendar dates as schema instead of rolling them over', () => {
    const r = run([
      '2026-02-30T10:00:00Z',
      '2026-13-01',
      '2026-11-26T24:00:01Z',
      '0001-01-01T00:00:00Z',
      '2026-11-26T10:00:00Z',
    ]);
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      [0, 'schema', 'time: expected a day from 01 to 28 in 2026-02, found string "2026-02-30T10:00:00Z"'],
      [1, 'schema', 'time: expected a month from 01 to 12, found string "2026-13-01"'],
      [2, 'schema', 'time: expected an hour from 00 to 23, found string "2026-11-26T24:00:01Z"'],
      [3, 'schema', 'time: expected a time at or after 1970-01-01T00:00:00Z, found string "0001-01-01T00:00:00Z"'],
    ]);
    expect(r.partials[0]?.events).toBe(1);
  });
});
