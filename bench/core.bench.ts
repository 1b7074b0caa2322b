/**
 * processBatch throughput for 1,000-event batches over 100 streams, next to a baseline measured in the same run
 * (JSON.parse + per-stream sum), plus entity operations per 1,000 events. `--json` prints one JSON object.
 */
import { compilePipeline, processBatch } from '../src/core';

const BATCH = 1000;
const STREAMS = 100;
const BATCHES = Number(process.env['BENCH_BATCHES'] ?? 200);
const T0 = Date.parse('2026-11-26T10:00:00Z');

const compiled = compilePipeline({ name: 'bench', window: { type: 'tumbling', size: 'PT1M' } });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
const pipelines = [compiled.pipeline];

function makeBatch(b: number): string[] {
  return Array.from({ length: BATCH }, (_, i) =>
    JSON.stringify({ stream: `sensor-${(i * 7 + b) % STREAMS}`, time: new Date(T0 + b * 1000 + i).toISOString(), value: 20 + ((i * 13) % 50) / 10, unit: 'C' }),
  );
}

const batches = Array.from({ length: 20 }, (_, b) => makeBatch(b));
const seq = Array.from({ length: BATCH }, (_, i) => i);
const enq = Array.from({ length: BATCH }, () => T0);

function baseline(bodies: string[]): number {
  const sums = new Map<string, number>();
  for (const body of bodies) {
    const e = JSON.parse(body) as { stream: string; value: number };
    sums.set(e.stream, (sums.get(e.stream) ?? 0) + e.value);
  }
  return sums.size;
}

function measure(label: string, fn: (bodies: string[], i: number) => number): { label: string; eventsPerSec: number; ms: number; check: number } {
  for (let i = 0; i < 5; i++) fn(batches[i % batches.length] as string[], i);
  let check = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) check += fn(batches[i % batches.length] as string[], i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { label, eventsPerSec: Math.round((BATCHES * BATCH) / (ms / 1000)), ms: Math.round(ms), check };
}

const base = measure('baseline JSON.parse + per-stream sum', baseline);
let operations = 0;
const core = measure('processBatch', (bodies, i) => {
  const r = processBatch({ bodies, partitionId: '0', sequenceNumbers: seq.map((s) => s + i * BATCH), enqueuedTimes: enq, pipelines, now: T0 + 60_000 });
  operations += r.metrics.entityOperations;
  return r.metrics.aggregated;
});
const warmupOps = 5 * STREAMS;
const result = {
  batchSize: BATCH,
  streams: STREAMS,
  batches: BATCHES,
  processBatchEventsPerSec: core.eventsPerSec,
  baselineEventsPerSec: base.eventsPerSec,
  relativeToBaseline: Number((core.eventsPerSec / base.eventsPerSec).toFixed(3)),
  entityOperationsPer1000Events: Number((((operations - warmupOps) / (BATCHES * BATCH)) * 1000).toFixed(1)),
  node: process.version,
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`processBatch: ${result.processBatchEventsPerSec.toLocaleString()} events/s (${BATCHES} batches of ${BATCH} events over ${STREAMS} streams)`);
  console.log(`baseline (JSON.parse + per-stream sum): ${result.baselineEventsPerSec.toLocaleString()} events/s; processBatch runs at ${result.relativeToBaseline}x of it`);
  console.log(`entity operations per 1,000 events: ${result.entityOperationsPer1000Events} (vs 1,000 without pre-aggregation)`);
}
