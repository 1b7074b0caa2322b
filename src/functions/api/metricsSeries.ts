import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import type { IngestMetricsRow } from '../../storage/types';
import { apiDeps } from './deps';
import { withProblems } from './errors';
import { summarizeIngestMetrics } from './summarizeIngestMetrics';
import { parseQuery } from './validate';

const MINUTES = 'expected a whole number of minutes from 1 to 1440';
export const seriesQuery = z.object({
  minutes: z.coerce.number({ error: MINUTES }).int(MINUTES).min(1, MINUTES).max(1440, MINUTES).default(60),
});

export interface MetricsPoint {
  /** ISO start of the minute. */
  minute: string;
  events: number;
  eventsPerSec: number;
  processingRate: number | null;
  aggregated: number;
  filtered: number;
  deadLettered: number;
  retried: number;
  entityOperations: number;
  entityOperationsPer1000Events: number | null;
  latencyP50: number | null;
  latencyP99: number | null;
  partitions: number;
  /** Per pipeline: its deliveries' outcomes in the minute (pipelines with none are absent). */
  byPipeline: Record<string, { aggregated: number; filtered: number; deadLettered: number }>;
  /** Dead letters per reason in the minute (reasons with none are absent). */
  byReason: Record<string, number>;
}

/** The rows' `breakdown` keys (`pipeline:<name>:<outcome>`, `reason:<reason>`) summed and split back. */
function splitBreakdown(rows: readonly IngestMetricsRow[]): Pick<MetricsPoint, 'byPipeline' | 'byReason'> {
  const byPipeline: MetricsPoint['byPipeline'] = {};
  const byReason: MetricsPoint['byReason'] = {};
  for (const r of rows) {
    for (const [key, n] of Object.entries(r.breakdown ?? {})) {
      const parts = key.split(':');
      if (parts[0] === 'reason' && parts.length === 2)
        byReason[parts[1] as string] = (byReason[parts[1] as string] ?? 0) + n;
      else if (
        parts[0] === 'pipeline' &&
        parts.length === 3 &&
        (parts[2] === 'aggregated' || parts[2] === 'filtered' || parts[2] === 'deadLettered')
      ) {
        const p = (byPipeline[parts[1] as string] ??= { aggregated: 0, filtered: 0, deadLettered: 0 });
        p[parts[2]] += n;
      }
    }
  }
  return { byPipeline, byReason };
}

/**
 * One point per minute of [fromMs, untilMs), every minute present (zeros where nothing was recorded, so a chart shows
 * the gap): each point is summarizeIngestMetrics over that minute's rows, so it agrees with GET /api/metrics.
 */
export function metricsSeries(rows: readonly IngestMetricsRow[], fromMs: number, untilMs: number): MetricsPoint[] {
  const byMinute = new Map<number, IngestMetricsRow[]>();
  for (const r of rows) {
    const m = Date.parse(r.minute);
    const list = byMinute.get(m);
    if (list) list.push(r);
    else byMinute.set(m, [r]);
  }
  const out: MetricsPoint[] = [];
  for (let m = Math.floor(fromMs / 60_000) * 60_000; m < untilMs; m += 60_000) {
    const minuteRows = byMinute.get(m) ?? [];
    // The current minute's rate divides by the seconds elapsed in it, not by 60.
    const s = summarizeIngestMetrics(minuteRows, m, Math.min(m + 60_000, untilMs));
    out.push({
      minute: new Date(m).toISOString(),
      events: s.events,
      eventsPerSec: minuteRows.length === 0 ? 0 : s.events / Math.max(1, (Math.min(m + 60_000, untilMs) - m) / 1000),
      processingRate: s.processingRate,
      aggregated: s.aggregated,
      filtered: s.filtered,
      deadLettered: s.deadLettered,
      retried: s.retried,
      entityOperations: s.entityOperations,
      entityOperationsPer1000Events: s.entityOperationsPer1000Events,
      latencyP50: s.latency.p50,
      latencyP99: s.latency.p99,
      partitions: s.partitions,
      ...splitBreakdown(minuteRows),
    });
  }
  return out;
}

/** Per-minute ingest figures over the last `minutes` (default 60), oldest first: the dashboard's overview charts. */
export async function getMetricsSeries(request: HttpRequest): Promise<HttpResponseInit> {
  const { minutes } = parseQuery(request, seriesQuery);
  const deps = apiDeps();
  const until = deps.now();
  const from = Math.floor((until - minutes * 60_000) / 60_000) * 60_000 + 60_000;
  const rows = await deps.stores.ingestMetrics.recent(from);
  return {
    jsonBody: {
      from: new Date(from).toISOString(),
      until: new Date(until).toISOString(),
      points: metricsSeries(rows, from, until),
    },
  };
}

app.http('getMetricsSeries', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'metrics/series',
  handler: withProblems(getMetricsSeries),
});
