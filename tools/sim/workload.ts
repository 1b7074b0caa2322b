import type { Rng } from './rng';

/** One event a producer sends; `id` is its place in the workload (what a shrunk trace lists). */
export interface WorkloadEvent {
  id: number;
  body: string;
  /** What the generator made it: the truth the invariants compare against. */
  kind: 'valid' | 'late' | 'skewed' | 'invalid-json' | 'ndjson';
  /** Partition the producer sends to (round robin over partitions without a key, as the send tool does). */
  partition: number;
}

/** Events a producer sends together at one moment. */
export interface Burst {
  events: WorkloadEvent[];
}

export interface WorkloadOptions {
  partitions: number;
  streams: number;
  bursts: number;
  /** Probabilities per event (the seed decides); 0 for an on-time, fault-free workload. */
  lateRate: number;
  invalidRate: number;
  /** Producers whose clocks are off (each stream has its own producer). */
  skewRate: number;
}

/** Per stream: what the pipeline must aggregate, given which events were dead-lettered. */
export interface StreamTruth {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** The aggregatable reading of a body: default pipeline (key `stream`, measure `value`), or undefined. */
export function readingOf(body: string): { stream: string; value: number } | undefined {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    if (
      v &&
      typeof v === 'object' &&
      typeof v['stream'] === 'string' &&
      v['stream'] !== '' &&
      typeof v['value'] === 'number' &&
      Number.isFinite(v['value'])
    ) {
      return { stream: v['stream'], value: v['value'] };
    }
  } catch {
    // not JSON: dead-lettered
  }
  return undefined;
}

/**
 * A synthetic workload with known truth: streams s-1..s-N sending integer values (so sums are exact in any order),
 * event time = the producer's clock (skewed for some producers, up to 2 h either way) minus any lateness (up to 3 h),
 * and some bodies that are not JSON. The time each burst is sent is decided by the scheduler.
 */
export function syntheticWorkload(
  rng: Rng,
  o: WorkloadOptions,
): {
  bursts: Burst[];
  streamOf: (e: WorkloadEvent) => string | undefined;
  eventTime: (e: WorkloadEvent, sentAt: number) => number;
} {
  const skew = Array.from({ length: o.streams }, () =>
    rng.chance(o.skewRate) ? (rng.chance(0.5) ? 1 : -1) * rng.range(1_000, 7_200_000) : 0,
  );
  const lateness = new Map<number, number>();
  const bursts: Burst[] = [];
  let id = 0;
  let nextPartition = 0;
  for (let b = 0; b < o.bursts; b++) {
    const events: WorkloadEvent[] = [];
    for (let n = rng.range(1, 8); n > 0; n--) {
      const stream = rng.int(o.streams);
      const partition = nextPartition++ % o.partitions;
      if (rng.chance(o.invalidRate)) {
        events.push({ id: id++, body: `{"stream":"s-${stream + 1}","value":`, kind: 'invalid-json', partition });
        continue;
      }
      const late = rng.chance(o.lateRate);
      if (late) lateness.set(id, rng.range(1, 3 * 3_600_000));
      const value = rng.range(-1000, 1000);
      // The time is filled in when the burst is sent (the placeholder keeps the body's shape).
      events.push({
        id: id++,
        body: JSON.stringify({ stream: `s-${stream + 1}`, time: `@${stream}`, value }),
        kind: late ? 'late' : skew[stream] !== 0 ? 'skewed' : 'valid',
        partition,
      });
    }
    bursts.push({ events });
  }
  return {
    bursts,
    streamOf: (e) => readingOf(e.body)?.stream,
    eventTime: (e, sentAt) => {
      const m = /"time":"@(\d+)"/.exec(e.body);
      return m ? sentAt + (skew[Number(m[1])] ?? 0) - (lateness.get(e.id) ?? 0) : sentAt;
    },
  };
}

/** The body as sent at `sentAt`: the time placeholder replaced by the producer's clock reading. */
export function bodyAt(e: WorkloadEvent, time: number): string {
  return e.body.replace(/"time":"@\d+"/, `"time":"${new Date(time).toISOString()}"`);
}

/** An NDJSON file as a workload: one event per line, in order, round robin over partitions, bursts of up to 8. */
export function ndjsonWorkload(text: string, partitions: number, rng: Rng): Burst[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const bursts: Burst[] = [];
  for (let i = 0; i < lines.length;) {
    const n = rng.range(1, 8);
    bursts.push({
      events: lines
        .slice(i, i + n)
        .map((body, k) => ({ id: i + k, body, kind: 'ndjson' as const, partition: (i + k) % partitions })),
    });
    i += n;
  }
  return bursts;
}
