import { appDeps, setAppDeps } from '../../app';
import type {
  AlertStore,
  PipelineStore,
  ReportStore,
  StreamCatalog,
  WindowStore,
  WindowVersionStore,
} from '../../storage/types';

/** What the analysis activities and routes need; tests swap in memory stores with {@link setAnalysisDeps}. */
export interface AnalysisDeps {
  /** Read to check that a requested pipeline exists, and by the schedule for the pipelines to analyse. */
  pipelines: PipelineStore;
  windows: WindowStore;
  streams: StreamCatalog;
  reports: ReportStore;
  alerts: AlertStore;
  /** The window version history, for the revisions since the last report (none listed without it). */
  windowVersions?: WindowVersionStore;
}

/** The analysis part of the app's dependencies (src/app.ts). */
export function analysisDeps(): AnalysisDeps {
  return appDeps().analysis;
}

/** Tests: replaces (or with undefined, resets) the analysis dependencies. */
export function setAnalysisDeps(deps: AnalysisDeps | undefined): void {
  setAppDeps(deps === undefined ? undefined : { analysis: deps });
}
