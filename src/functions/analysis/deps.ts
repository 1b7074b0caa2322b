import type { AlertStore } from '../../storage/alertStore';
import { ALERTS_TABLE } from '../../storage/alertStore';
import { TableAlertStore } from '../../storage/alertStoreTable';
import { createStores } from '../../storage/createStores';
import type { ReportStore } from '../../storage/reportStore';
import { REPORTS_TABLE } from '../../storage/reportStore';
import { TableReportStore } from '../../storage/reportStoreTable';
import { tableClientFor } from '../../storage/tableClientFor';
import type { PipelineStore, StreamCatalog, WindowStore } from '../../storage/types';

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
  if (!current) {
    const stores = createStores(process.env);
    current = {
      pipelines: stores.pipelines,
      windows: stores.windows,
      streams: stores.streams,
      reports: new TableReportStore(() => tableClientFor(REPORTS_TABLE)),
      alerts: new TableAlertStore(() => tableClientFor(ALERTS_TABLE)),
    };
  }
  return current;
}

export function setAnalysisDeps(deps: AnalysisDeps | undefined): void {
  current = deps;
}
