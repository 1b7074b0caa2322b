/**
 * The batch processor against the physical limit of an in-process pipeline: `JSON.parse` of the same bodies.
 *
 * Each scenario folds 1,000-event batches over 100 streams of ~150-byte JSON events. The measured rate includes
 * reading every body from its bytes (decoding and parsing), because the trigger hands ingest the bodies' bytes
 * (dataType 'binary'; processBatch validates a plain body as JSON and builds only the fields its pipelines read,
 * src/core/batch/selectiveParse.ts, and decodes and JSON.parses any other); the baseline is `JSON.parse` of the same
 * bodies as strings alone, measured in the same run in short paired rounds (which goes first alternates), so that both
 * see the same machine. ratio = the median over rounds of the round's processBatch rate over its baseline rate: on a
 * shared machine the load changes between rounds, which a ratio of two medians taken over all rounds (ratioOfMedians,
 * the figure before issue 14) does not cancel. Also printed:
 * state bytes per window (the JSON of one window's merged aggregates after the whole run, as the stream entity and the
 * Windows table hold it), entity state bytes per stream (the JSON the stream entity stores, after every batch merged
 * through mergePartial) and entity operations per 1,000 events. `--json` prints one JSON object per line per scenario.
 */
import {
  type Aggregate,
  type CompiledPipeline,
  compilePipeline,
  type EncodedAggregate,
  initialStreamState,
  mergeAggregates,
  mergeEncoded,
  mergePartialInPlace,
  processBatch,
  type StreamState,
} from '../src/core';

const BATCH = 1000;
const STREAMS = 100;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 36);
const BATCHES_PER_ROUND = Number(process.env['BENCH_BATCHES'] ?? 10);
const DISTINCT_BATCHES = 60;
const T0 = Date.parse('2026-11-26T10:00:00Z');

interface Scenario {
  scenario: string;
  description: string;
  definition: unknown;
  body: (stream: number, time: number, i: number) => Record<string, unknown>;
}

const SITES = ['LAS', 'PHL', 'SEA', 'JFK', 'ORD', 'ATL', 'DEN', 'SFO'];

/** One flight record of stream `s` at time `t` (the flights shape); `i` varies delay, distance and flight. */
const flight = (s: number, t: number, i: number) => ({
  date: new Date(t).toISOString(),
  delay: (i * 7) % 90,
  distance: 50 + ((i * 37) % 2500),
  origin: `${SITES[s % SITES.length]}${Math.floor(s / SITES.length)}`,
  destination: 'PHL',
  carrier: 'XA',
  flight: 1000 + (i % 900),
  tail: 'N31415',
  gate: 'B12',
});

const scenarios: Scenario[] = [
  {
    scenario: 'default',
    description: 'default pipeline: key stream, time time, measure value, 1-minute tumbling windows',
    definition: {},
    body: (s, t, i) => ({
      stream: `sensor-${String(s).padStart(3, '0')}`,
      time: new Date(t).toISOString(),
      value: 20 + ((i * 13) % 50) / 10,
      unit: 'C',
      site: 'plant-3',
      line: 'line-07',
      status: 'ok',
      firmware: '2.4.1',
      seq: 100_000 + i,
    }),
  },
  {
    scenario: 'filter+2measures',
    description:
      'flights: key origin, time date, filter distance > 100, measures delay and distance, 1-hour tumbling windows, 5-minute lateness',
    // The flights pipeline, verbatim.
    definition: {
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delay: 'delay', distance: 'distance' },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
    },
    body: (s, t, i) => flight(s, t, i),
  },
  {
    scenario: 'filter+2computed',
    description: 'as filter+2measures, with computed measures: delay * 60 (seconds) and distance * 1.609 (km)',
    definition: {
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delaySeconds: 'delay * 60', km: 'distance * 1.609' },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
    },
    body: (s, t, i) => flight(s, t, i),
  },
  {
    scenario: 'distinct+topK',
    description: 'as filter+2measures, plus aggregates: distinct tail numbers and the top 10 destinations',
    definition: {
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delay: 'delay', distance: 'distance' },
      aggregates: {
        tails: { kind: 'distinct', expr: 'tail' },
        destinations: { kind: 'topK', expr: 'destination', k: 10 },
      },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
    },
    // ~2,000 tails; destinations skewed: a fifth to PHL, the rest over 60 airports.
    body: (s, t, i) => ({
      ...flight(s, t, i),
      destination: i % 5 === 0 ? 'PHL' : `D${(i * 31) % 60}`,
      tail: `N${(i * 7919) % 2000}`,
    }),
  },
];

function compile(definition: unknown, name: string): CompiledPipeline {
  const compiled = compilePipeline(definition, name);
  if (!compiled.ok) throw new Error(`bench pipeline is invalid: ${JSON.stringify(compiled.issues)}`);
  return compiled.pipeline;
}

/** Batch b: 1,000 events a millisecond apart, streams interleaved, so each stream gets 10 events per batch. */
function makeBatches(scenario: Scenario): string[][] {
  return Array.from({ length: DISTINCT_BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) =>
      JSON.stringify(scenario.body((i * 7 + b) % STREAMS, T0 + b * BATCH + i, b * BATCH + i)),
    ),
  );
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function run(scenario: Scenario) {
  const pipelines = [compile(scenario.definition, scenario.scenario.replace(/[^a-z0-9]+/gi, '-'))];
  const batches = makeBatches(scenario);
  const bytes = batches.flat().reduce((n, b) => n + Buffer.byteLength(b), 0) / (DISTINCT_BATCHES * BATCH);
  const sequenceNumbers = Array.from({ length: BATCH }, (_, i) => i);
  const enqueuedTimes = Array.from({ length: BATCH }, () => T0);
  let sink = 0;
  let operations = 0;
  let events = 0;
  const windows = new Map<string, Record<string, Aggregate | EncodedAggregate>>();

  const parseOnly = (bodies: string[]) => {
    for (let i = 0; i < bodies.length; i++) sink += (JSON.parse(bodies[i] as string) as object) === null ? 1 : 0;
  };
  // The trigger hands ingest each body's bytes (dataType 'binary'): processBatch decodes (UTF-8) and parses them itself.
  const bytesOf = new Map(batches.map((bodies) => [bodies, bodies.map((body) => Buffer.from(body))]));
  const processor = (bodies: string[], b: number, keep: boolean) => {
    const result = processBatch({
      bodies: bytesOf.get(bodies) as Buffer[],
      partitionId: '0',
      sequenceNumbers,
      enqueuedTimes,
      pipelines,
      now: T0 + b * BATCH + 60_000,
    });
    sink += result.metrics.aggregated;
    operations += result.metrics.entityOperations;
    events += bodies.length;
    if (!keep) return;
    for (const partial of result.partials) {
      for (const w of partial.windows) {
        const key = `${partial.stream}/${w.start}`;
        const previous = windows.get(key);
        const current: Record<string, Aggregate | EncodedAggregate> = { ...w.measures, ...w.aggregates };
        if (previous === undefined) windows.set(key, current);
        else {
          for (const [m, agg] of Object.entries(w.measures))
            previous[m] = previous[m] ? mergeAggregates(previous[m] as Aggregate, agg) : agg;
          for (const [m, agg] of Object.entries(w.aggregates ?? {}))
            previous[m] = previous[m] ? mergeEncoded(previous[m] as EncodedAggregate, agg) : agg;
        }
      }
    }
  };

  // Warm-up (JIT) doubles as the state-size pass: every distinct batch once, merging windows as the entity would.
  for (let b = 0; b < DISTINCT_BATCHES; b++) {
    parseOnly(batches[b] as string[]);
    processor(batches[b] as string[], b, true);
  }
  operations = 0;
  events = 0;

  const time = (fn: () => void): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const baselineRates: number[] = [];
  const rates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const n = BATCHES_PER_ROUND * BATCH;
    const first = (r * BATCHES_PER_ROUND) % DISTINCT_BATCHES;
    const baseline = () => {
      for (let k = 0; k < BATCHES_PER_ROUND; k++) parseOnly(batches[(first + k) % DISTINCT_BATCHES] as string[]);
    };
    const processing = () => {
      for (let k = 0; k < BATCHES_PER_ROUND; k++) {
        const b = (first + k) % DISTINCT_BATCHES;
        processor(batches[b] as string[], b, false);
      }
    };
    // Which goes first alternates, so that neither always follows the other's garbage.
    let baselineSeconds: number;
    let seconds: number;
    if (r % 2 === 0) {
      baselineSeconds = time(baseline);
      seconds = time(processing);
    } else {
      seconds = time(processing);
      baselineSeconds = time(baseline);
    }
    baselineRates.push(n / baselineSeconds);
    rates.push(n / seconds);
    ratios.push(baselineSeconds / seconds);
  }
  // After the timing (entity states held during it lowered the default ratio by ~0.07): every batch through the
  // entity's merge, each a later delivery of partition 0 (the previous one commits, this one stays pending).
  const states = new Map<string, StreamState>();
  for (let b = 0; b < DISTINCT_BATCHES; b++) {
    const result = processBatch({
      bodies: bytesOf.get(batches[b] as string[]) as Buffer[],
      partitionId: '0',
      sequenceNumbers,
      enqueuedTimes,
      pipelines,
      now: T0 + b * BATCH + 60_000,
    });
    for (const partial of result.partials) {
      const seq = {
        ...partial,
        firstSequence: b * BATCH,
        lastSequence: b * BATCH + BATCH - 1,
        firstEventSequence: b * BATCH,
        lastEventSequence: b * BATCH + BATCH - 1,
      };
      states.set(
        partial.stream,
        mergePartialInPlace(
          states.get(partial.stream) ?? initialStreamState(),
          seq,
          T0 + b * BATCH + 60_000,
          (pipelines[0] as CompiledPipeline).config,
        ).state,
      );
    }
  }
  const baselineEventsPerSec = Math.round(median(baselineRates));
  const eventsPerSec = Math.round(median(rates));
  const windowBytes = [...windows.values()].map((measures) => Buffer.byteLength(JSON.stringify(measures)));
  return {
    scenario: scenario.scenario,
    description: scenario.description,
    batchSize: BATCH,
    streams: STREAMS,
    bytesPerEvent: Math.round(bytes),
    rounds: ROUNDS,
    eventsPerRound: BATCHES_PER_ROUND * BATCH,
    baselineEventsPerSec,
    eventsPerSec,
    ratio: Number(median(ratios).toFixed(3)),
    ratioOfMedians: Number((eventsPerSec / baselineEventsPerSec).toFixed(3)),
    stateBytesPerWindow: Math.round(windowBytes.reduce((a, b) => a + b, 0) / Math.max(1, windowBytes.length)),
    eventsPerWindow: Math.round((DISTINCT_BATCHES * BATCH) / Math.max(1, windows.size)),
    stateBytesPerStream: Math.round(
      [...states.values()].reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s)), 0) / Math.max(1, states.size),
    ),
    entityOperationsPer1000Events: Number(((operations / events) * 1000).toFixed(1)),
    node: process.version,
    check: sink > 0,
  };
}

const json = process.argv.includes('--json');
const only = process.argv.find((a) => a.startsWith('--scenario='))?.slice('--scenario='.length);
for (const scenario of scenarios.filter((s) => only === undefined || s.scenario === only)) {
  const r = run(scenario);
  if (json) {
    console.log(JSON.stringify(r));
    continue;
  }
  console.log(`${r.scenario}: ${r.description}`);
  console.log(
    `  processBatch from the bodies' bytes (decoding and parsing included): ${r.eventsPerSec.toLocaleString()} events/s; JSON.parse alone: ${r.baselineEventsPerSec.toLocaleString()} events/s; ratio ${r.ratio}`,
  );
  console.log(
    `  ${r.bytesPerEvent}-byte events, ${r.batchSize}-event batches over ${r.streams} streams, ratio: median of ${r.rounds} paired rounds of ${r.eventsPerRound.toLocaleString()} events each`,
  );
  console.log(
    `  state: ${r.stateBytesPerWindow} bytes of JSON per window (${r.eventsPerWindow} events per window), ${r.stateBytesPerStream} bytes of entity state per stream; entity operations per 1,000 events: ${r.entityOperationsPer1000Events}`,
  );
}
