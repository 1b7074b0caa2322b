import { type CompiledPipeline, compilePipeline, processBatch } from '../../core';
import type { StoredPipeline } from '../../storage';

/** What the core would do with one event in its pipeline(s). */
export type PredictedOutcome =
  | { pipeline: string; outcome: 'aggregated' | 'filtered' }
  | { pipeline: string; outcome: 'dead-lettered'; reason: string; detail: string };

/** The stored pipelines compiled as ingest compiles them; one that does not compile is left out and named. */
export function compileStored(stored: readonly StoredPipeline[]): { pipelines: CompiledPipeline[]; broken: string[] } {
  const pipelines: CompiledPipeline[] = [];
  const broken: string[] = [];
  for (const s of stored) {
    const r = compilePipeline(s.definition, s.name);
    if (r.ok) pipelines.push({ ...r.pipeline, config: { ...r.pipeline.config, version: s.version } });
    else broken.push(s.name);
  }
  return { pipelines, broken };
}

/**
 * Runs the core on one event exactly as ingest would (processBatch, its pipeline only, or every pipeline for a dead
 * letter without one), but alone: without its stream's progress, so `late` cannot be foreseen. #16's
 * POST /api/pipelines/test runs the same core; this is the replay's copy until the branches meet.
 */
export function predictOutcomes(
  body: string,
  target: string | undefined,
  pipelines: readonly CompiledPipeline[],
  partition: string,
  sequenceNumber: number,
  enqueuedTime: string,
  now: number,
): PredictedOutcome[] {
  const chosen = target === undefined ? pipelines : pipelines.filter((p) => p.name === target);
  const result = processBatch({
    bodies: [body],
    partitionId: partition,
    sequenceNumbers: [sequenceNumber],
    enqueuedTimes: [enqueuedTime],
    pipelines: chosen,
    now,
  });
  return chosen.map((p) => {
    const counts = result.metrics.byPipeline[p.name];
    if (counts?.aggregated) return { pipeline: p.name, outcome: 'aggregated' };
    if (counts?.filtered) return { pipeline: p.name, outcome: 'filtered' };
    const dead = result.deadLetters.find((d) => d.pipeline === p.name);
    return {
      pipeline: p.name,
      outcome: 'dead-lettered',
      reason: dead?.reason ?? 'unknown',
      detail: dead?.detail ?? '',
    };
  });
}
