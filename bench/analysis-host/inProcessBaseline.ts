import { analyzeStream, totalCount } from '../../src/core/analysis/analyzeStream';
import { buildReport } from '../../src/core/analysis/buildReport';
import { mostActive, type StreamSeries } from '../../src/core/analysis/crossStream';
import { fromStoredWindow } from '../../src/core/analysis/fromStoredWindow';
import { ANALYSIS_KINDS, type Report, type StreamResult, type WindowPoint } from '../../src/core/analysis/types';
import { CORRELATION_TOP_N } from '../../src/functions/analysis/plan';
import { MEASURE, type StreamSpec, syntheticWindows } from './syntheticStream';

export interface BaselineResult {
  /** fromStoredWindow + analyzeStream for every stream, plus ranking and correlation: the work the host spreads over activities. */
  ms: number;
  report: Report;
}

/**
 * The same analysis in this process, straight from src/core/analysis: each stream's rows are
 * generated and JSON round-tripped (as a Table read returns them) outside the timer; the timer
 * covers what the chunk and finalize activities compute, without storage, host or durable runtime.
 */
export function inProcessBaseline(
  pipeline: string,
  specs: readonly StreamSpec[],
  windows: number,
  eventsPerWindow: number,
  range: { from: string; to: string },
): BaselineResult {
  let ns = 0n;
  const results: StreamResult[] = [];
  const series: StreamSeries[] = [];
  for (const spec of specs) {
    const stored = syntheticWindows(pipeline, spec, windows, eventsPerWindow).map((r) => ({
      ...r,
      data: JSON.parse(JSON.stringify(r.data)) as typeof r.data,
    }));
    const t = process.hrtime.bigint();
    const points: WindowPoint[] = [];
    for (const w of stored) {
      const p = fromStoredWindow(w, MEASURE);
      if (p) points.push(p);
    }
    results.push(analyzeStream(spec.name, points, ANALYSIS_KINDS));
    series.push({ stream: spec.name, count: totalCount(points), means: new Map(points.map((p) => [p.start, p.mean])) });
    ns += process.hrtime.bigint() - t;
  }
  const t = process.hrtime.bigint();
  const report = buildReport(pipeline, range, results, {
    generatedAt: range.to,
    analyses: ANALYSIS_KINDS,
    series: mostActive(series, CORRELATION_TOP_N),
    counts: new Map(series.map((s) => [s.stream, s.count])),
  });
  ns += process.hrtime.bigint() - t;
  return { ms: Number(ns) / 1e6, report };
}
