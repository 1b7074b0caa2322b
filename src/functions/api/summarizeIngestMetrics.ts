import { decodeSketch, mergeEncodedSketches } from '../../core';
import { ENTITY_METRICS_PARTITION } from '../../storage/accumulateMetrics';
import type { IngestMetricsRow } from '../../storage/types';

export interface IngestMetricsSummary {
  windowSeconds: number;
  /**
   * Seconds the rates divide by: from the first minute that saw events (or the window start, if later) until now.
   * A stream that started 20 s ago must not read as a trickle averaged over the whole window.
   */
  rateSeconds: number;
  events: number;
  batches: number;
  partitions: number;
  /** Events into ingest per second over the window. */
  eventsPerSec: number;
  /** Events per second of ingest processing time (throughput while busy). */
  processingRate: number | null;
  aggregated: number;
  filtered: number;
  /** Per pipeline, of `filtered`: events its match or filter found lacking a field it reads (SQL NULL semantics). */
  filteredMissing: Record<string, number>;
  /** Net of `lateWithdrawn` (as `events` is): an event an earlier attempt dead-lettered late and a redelivery aggregated counts once. */
  deadLettered: number;
  /** Late dead letters withdrawn because a redelivery aggregated their events (docs/explanation/effectively-once.md, ingest rule 7). */
  lateWithdrawn: number;
  /** Deliveries of failed invocations the trigger retries (not in `events`: each is counted when its retry succeeds). */
  retried: number;
  /** Of deadLettered: events isolated as `poison` by the bisection of batches that kept failing. */
  poison: number;
  /** Replayed dead letters that arrived, and of them the duplicates dropped (another delivery had counted already). */
  replayed: number;
  replayDuplicates: number;
  /**
   * Redelivered partials the stream entities recognised and did not count again (docs/explanation/effectively-once.md,
   * "Visible"): each is one batch's contribution to one stream, delivered again after a crash or a failed attempt.
   */
  duplicatesSuppressed: number;
  /**
   * Window revisions the stream entities wrote (late events within `corrections` made a closed window's next version;
   * docs/explanation/windows-and-lateness.md), in all and per pipeline (pipelines with none are absent).
   */
  revisions: number;
  revisionsByPipeline: Record<string, number>;
  entityOperations: number;
  /** The headline pre-aggregation figure: entity operations per 1,000 events in. */
  entityOperationsPer1000Events: number | null;
  /** From the merged per-batch DDSketches (merged on their encodings, decoded once), in the sketches' unit (ms). */
  latency: { p50: number | null; p99: number | null; samples: number; unreadableSketches: number };
}

/** Global ingest figures over the rows of the window [fromMs, untilMs). Pure. */
export function summarizeIngestMetrics(
  rows: IngestMetricsRow[],
  fromMs: number,
  untilMs: number,
): IngestMetricsSummary {
  const windowMs = untilMs - fromMs;
  const firstMinute = rows.reduce((min, r) => Math.min(min, Date.parse(r.minute)), Number.POSITIVE_INFINITY);
  const rateMs = Math.max(1, untilMs - Math.max(fromMs, Number.isFinite(firstMinute) ? firstMinute : fromMs));
  const sum = (f: (r: IngestMetricsRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  // A withdrawn late dead letter's delivery is taken out of both, so events = aggregated + filtered + deadLettered holds.
  const withdrawn = sum((r) => r.lateWithdrawn ?? 0);
  const events = sum((r) => r.eventsIn) - withdrawn;
  const processingMs = sum((r) => r.processingMs);
  const entityOperations = sum((r) => r.entityOperations);
  let encoded: string | undefined;
  let unreadable = 0;
  for (const next of rows.flatMap((r) => r.latencySketches)) {
    try {
      // The first readable sketch is checked by decoding it; each later one by merging it (which reads it whole).
      if (encoded === undefined) decodeSketch(next);
      encoded = encoded === undefined ? next : mergeEncodedSketches(encoded, next);
    } catch {
      unreadable += 1;
    }
  }
  const merged = encoded === undefined ? undefined : decodeSketch(encoded);
  const at = (q: number) => (merged && merged.count > 0 ? merged.getValueAtQuantile(q) : null);
  return {
    windowSeconds: windowMs / 1000,
    rateSeconds: rateMs / 1000,
    events,
    batches: sum((r) => r.batches),
    partitions: new Set(rows.filter((r) => r.partition !== ENTITY_METRICS_PARTITION).map((r) => r.partition)).size,
    eventsPerSec: events / (rateMs / 1000),
    processingRate: processingMs > 0 ? events / (processingMs / 1000) : null,
    aggregated: sum((r) => r.aggregated),
    filtered: sum((r) => r.filtered),
    filteredMissing: sumByPipeline(rows),
    deadLettered: sum((r) => r.deadLettered) - withdrawn,
    lateWithdrawn: withdrawn,
    retried: sum((r) => r.retried ?? 0),
    poison: sum((r) => r.poison ?? 0),
    replayed: sum((r) => r.replayed ?? 0),
    replayDuplicates: sum((r) => r.replayDuplicates ?? 0),
    duplicatesSuppressed: sum((r) => r.duplicatesSuppressed ?? 0),
    revisions: sum((r) => r.revisions ?? 0),
    revisionsByPipeline: revisionsByPipeline(rows),
    entityOperations,
    entityOperationsPer1000Events: events > 0 ? (entityOperations / events) * 1000 : null,
    latency: { p50: at(0.5), p99: at(0.99), samples: merged?.count ?? 0, unreadableSketches: unreadable },
  };
}

function sumByPipeline(rows: IngestMetricsRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows)
    for (const [pipeline, n] of Object.entries(r.filteredMissing ?? {})) out[pipeline] = (out[pipeline] ?? 0) + n;
  return out;
}

/** The rows' `pipeline:<name>:revisions` breakdown keys summed per pipeline (a name may hold ':'). */
function revisionsByPipeline(rows: IngestMetricsRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows)
    for (const [key, n] of Object.entries(r.breakdown ?? {})) {
      if (!key.startsWith('pipeline:') || !key.endsWith(':revisions')) continue;
      const pipeline = key.slice('pipeline:'.length, -':revisions'.length);
      if (pipeline === '') continue;
      out[pipeline] = (out[pipeline] ?? 0) + n;
    }
  return out;
}
