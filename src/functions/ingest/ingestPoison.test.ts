import { type BatchInput, compilePipeline, processBatch } from '../../core';
import {
  CoreFailure,
  MAX_BISECTION_RUNS,
  POISON_AFTER_RETRIES,
  type Process,
  processIsolatingPoison,
} from './ingestPoison';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const compiled = compilePipeline({ name: 'p', measures: { v: 'value' }, window: { type: 'tumbling', size: 'PT1M' } });
if (!compiled.ok) throw new Error('test pipeline does not compile');

function batch(n: number, first = 100): BatchInput {
  return {
    bodies: Array.from({ length: n }, (_, i) =>
      JSON.stringify({ stream: `s${i % 3}`, time: new Date(T0 + i * 1000).toISOString(), value: i }),
    ),
    partitionId: '0',
    sequenceNumbers: Array.from({ length: n }, (_, i) => first + i),
    enqueuedTimes: Array.from({ length: n }, () => T0 + 60_000),
    pipelines: [compiled.ok ? compiled.pipeline : (undefined as never)],
    now: T0 + 120_000,
  };
}

/** The core, throwing whenever the run holds one of `bad` (values), or all of `together`. */
function throwingOn(bad: number[], together: number[] = []): Process & { runs: number } {
  const fn = ((input: BatchInput) => {
    fn.runs++;
    const values = input.bodies.map((b) => (JSON.parse(String(b)) as { value: number }).value);
    if (values.some((v) => bad.includes(v)))
      throw new TypeError(`boom on ${values.filter((v) => bad.includes(v)).join(',')}`);
    if (together.length > 0 && together.every((v) => values.includes(v))) throw new TypeError('boom together');
    return processBatch(input);
  }) as Process & { runs: number };
  fn.runs = 0;
  return fn;
}

describe('processIsolatingPoison', () => {
  it('fails the invocation (CoreFailure) until POISON_AFTER_RETRIES retries, and runs the core once when it does not throw', () => {
    const core = throwingOn([3]);
    for (let retries = 0; retries < POISON_AFTER_RETRIES; retries++) {
      expect(() => processIsolatingPoison(batch(10), retries, core, () => undefined)).toThrow(CoreFailure);
    }
    const clean = throwingOn([]);
    const out = processIsolatingPoison(batch(10), 5, clean, () => undefined);
    expect({
      poison: out.poison,
      runs: out.runs,
      calls: clean.runs,
      aggregated: out.result.metrics.aggregated,
    }).toEqual({ poison: 0, runs: 0, calls: 1, aggregated: 10 });
  });

  it('isolates the events the core throws on; the rest are processed exactly, partials keep the whole batch range', () => {
    const logs: string[] = [];
    const out = processIsolatingPoison(batch(16), POISON_AFTER_RETRIES, throwingOn([0, 11]), (m) => logs.push(m));
    expect(out.poison).toBe(2);
    expect(out.result.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail.includes('boom on')])).toEqual([
      [100, 'poison', true],
      [111, 'poison', true],
    ]);
    expect(JSON.parse(out.result.deadLetters[0]?.raw ?? '')).toMatchObject({ value: 0 });
    const m = out.result.metrics;
    expect({
      eventsIn: m.eventsIn,
      aggregated: m.aggregated,
      deadLettered: m.deadLettered,
      poison: m.byReason.poison,
      bodies: m.bodies,
      first: m.firstSequence,
      last: m.lastSequence,
    }).toEqual({
      eventsIn: 16,
      aggregated: 14,
      deadLettered: 2,
      poison: 2,
      bodies: 16,
      first: 100,
      last: 115,
    });
    expect(out.result.partials.every((p) => p.firstSequence === 100 && p.lastSequence === 115)).toBe(true);
    expect(out.result.partials.reduce((n, p) => n + p.events, 0)).toBe(14);
    expect(out.result.partials.reduce((n, p) => n + (p.totals['v']?.sum ?? 0), 0)).toBe((15 * 16) / 2 - 11);
    expect(logs.join('\n')).toMatch(/2 event\(s\) dead-lettered as poison \(sequences 100,111\), 14 processed/);
  });

  it('is bounded: past MAX_BISECTION_RUNS the unresolved events are poison too, and every event is accounted for once', () => {
    const n = 600;
    const bad = Array.from({ length: 200 }, (_, i) => i * 3);
    const core = throwingOn(bad);
    const out = processIsolatingPoison(batch(n), POISON_AFTER_RETRIES, core, () => undefined);
    expect(out.runs).toBeLessThanOrEqual(MAX_BISECTION_RUNS + 1);
    expect(core.runs).toBe(out.runs); // the first run, the bisection runs and the final one
    const m = out.result.metrics;
    expect(m.aggregated + m.deadLettered).toBe(n);
    expect(new Set(out.result.deadLetters.map((d) => d.sequenceNumber)).size).toBe(m.deadLettered);
    for (const v of bad) expect(out.result.deadLetters.some((d) => d.sequenceNumber === 100 + v)).toBe(true);
    expect(out.result.deadLetters.some((d) => d.detail.includes(`bisection stopped after ${MAX_BISECTION_RUNS}`))).toBe(
      true,
    );
  });

  it('events that throw only together are all dead-lettered rather than holding the partition', () => {
    const out = processIsolatingPoison(batch(10), POISON_AFTER_RETRIES, throwingOn([], [2, 7]), () => undefined);
    expect(out.result.metrics.deadLettered).toBe(10);
    expect(out.result.deadLetters.every((d) => d.reason === 'poison' && d.detail.includes('threw together'))).toBe(
      true,
    );
  });
});
