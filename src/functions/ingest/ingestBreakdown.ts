import type { BatchMetrics } from '../../core';

/**
 * A batch's outcome counts by pipeline and by dead-letter reason, as the ingest metrics row's `breakdown` keys
 * (`pipeline:<name>:<outcome>`, `reason:<reason>`; pipeline names hold no ':'), only non-zero ones, so a quiet
 * pipeline costs the row nothing. Read back per minute by GET /api/metrics/series.
 */
export function breakdownOf(m: BatchMetrics): { breakdown?: Record<string, number> } {
  const out: Record<string, number> = {};
  for (const [pipeline, c] of Object.entries(m.byPipeline)) {
    if (c.aggregated > 0) out[`pipeline:${pipeline}:aggregated`] = c.aggregated;
    if (c.filtered > 0) out[`pipeline:${pipeline}:filtered`] = c.filtered;
    if (c.deadLettered > 0) out[`pipeline:${pipeline}:deadLettered`] = c.deadLettered;
  }
  for (const [reason, n] of Object.entries(m.byReason)) if (n > 0) out[`reason:${reason}`] = n;
  return Object.keys(out).length > 0 ? { breakdown: out } : {};
}
