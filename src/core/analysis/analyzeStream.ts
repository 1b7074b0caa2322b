import { type AnomalyOptions, detectAnomalies } from './detectAnomalies';
import { holtForecast, type HoltOptions } from './holt';
import { summarizeRange } from './summarizeRange';
import { trend } from './trend';
import type { AnalysisKind, StreamResult, WindowPoint } from './types';

export interface AnalyzeOptions {
  anomalies?: AnomalyOptions;
  forecast?: Partial<HoltOptions>;
}

/** The requested analyses of one stream's windows (ascending by start). */
export function analyzeStream(
  stream: string,
  windows: readonly WindowPoint[],
  analyses: readonly AnalysisKind[],
  options: AnalyzeOptions = {},
): StreamResult {
  const result: StreamResult = { stream, windows: windows.length, maxSeverity: 0 };
  if (analyses.includes('summary')) {
    const s = summarizeRange(windows);
    if (s) result.summary = s;
  }
  if (analyses.includes('anomalies')) {
    result.anomalies = detectAnomalies(windows, options.anomalies);
    for (const a of result.anomalies) if (a.severity > result.maxSeverity) result.maxSeverity = a.severity;
  }
  if (analyses.includes('trend')) result.trend = trend(windows);
  if (analyses.includes('forecast')) result.forecast = holtForecast(windows, options.forecast);
  return result;
}

/** Total events of a stream's windows: how "active" it is for the cross-stream views. */
export function totalCount(windows: readonly WindowPoint[]): number {
  let n = 0;
  for (const w of windows) n += w.count > 0 ? w.count : 0;
  return n;
}
