import { createStores } from '../../storage/createStores';
import type { AlertStore, PipelineStore, ReportStore, StreamCatalog, WindowStore } from '../../storage/types';

/** What the analysis activities and routes need; tests swap in memory stores with {@link setAnalysisDeps}. */
export interface AnalysisDeps {
  /** Read to check that a requested pipeline exists, and by the schedule for the pipelines to analyse. */
  pipelines: PipelineStore;
  windows: WindowStore;
  streams: StreamCatalog;
  reports: ReportStore;
  alerts: AlertStore;
}

let current: AnalysisDeps | undefined;

export function analysisDeps(): AnalysisDeps {
  // Every store AnalysisDeps names is one of createStores' (one set per process).
  current ??= createStores(process.env);
  return current;
}

export function setAnalysisDeps(deps: AnalysisDeps | undefined): void {
  current = deps;
}
