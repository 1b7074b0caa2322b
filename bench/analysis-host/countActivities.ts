interface HistoryEvent {
  EventType: string;
  FunctionName?: string;
  Timestamp: string;
}

interface InstanceView {
  instanceId: string;
  name: string;
  historyEvents?: HistoryEvent[];
}

export interface ActivityCount {
  /** Activity invocations by function name, over the orchestration and its sub-orchestrations. */
  byFunction: Record<string, number>;
  total: number;
  subOrchestrations: number;
  /** History events of the parent and of the largest sub-orchestration (what each replay reads). */
  parentHistoryEvents: number;
  largestSubHistoryEvents: number;
  /** Phases of the parent orchestration, from its history's timestamps (each phase ends when the next is scheduled). */
  phasesMs: { listing: number; analysing: number; alerting: number; reporting: number };
}

/** When the parent scheduled each step: listing, the first chunk or group, raising alerts (if any), the report; and when it completed. */
function phases(events: readonly HistoryEvent[]): ActivityCount['phasesMs'] {
  const at = (pred: (e: HistoryEvent) => boolean): number | undefined => {
    const e = events.find(pred);
    return e ? Date.parse(e.Timestamp) : undefined;
  };
  const scheduled = (name: string) => at((e) => e.EventType === 'TaskScheduled' && e.FunctionName === name);
  const start = at((e) => e.EventType === 'ExecutionStarted');
  const analysing = at(
    (e) =>
      e.EventType === 'SubOrchestrationInstanceCreated' ||
      (e.EventType === 'TaskScheduled' && e.FunctionName === 'analysisAnalyzeChunk'),
  );
  const reporting = scheduled('analysisFinalizeReport');
  const alerting = scheduled('analysisRaiseAlerts') ?? reporting;
  const end = at((e) => e.EventType === 'ExecutionCompleted');
  if ([start, analysing, alerting, reporting, end].some((t) => t === undefined))
    throw new Error('the orchestration history lacks a phase (started, chunks, report, completed)');
  return {
    listing: analysing! - start!,
    analysing: alerting! - analysing!,
    alerting: reporting! - alerting!,
    reporting: end! - reporting!,
  };
}

const durable = (baseUrl: string): string => `${baseUrl}/runtime/webhooks/durabletask`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * Counts the activities an analysis ran from the durable status API (showHistory): TaskScheduled
 * events of the orchestration and of every sub-orchestration it created (found by instance-id prefix,
 * the ids analyzeStreams gives its groups).
 */
export async function countActivities(baseUrl: string, instanceId: string): Promise<ActivityCount> {
  const history = (id: string) =>
    getJson<InstanceView>(
      `${durable(baseUrl)}/instances/${encodeURIComponent(id)}?showHistory=true&showHistoryOutput=false&showInput=false`,
    );
  const parent = await history(instanceId);
  const children = await getJson<InstanceView[]>(
    `${durable(baseUrl)}/instances/?instanceIdPrefix=${encodeURIComponent(`${instanceId}:`)}`,
  );
  const subs = await Promise.all(children.map((c) => history(c.instanceId)));
  const byFunction: Record<string, number> = {};
  for (const view of [parent, ...subs]) {
    for (const e of view.historyEvents ?? []) {
      if (e.EventType === 'TaskScheduled' && e.FunctionName)
        byFunction[e.FunctionName] = (byFunction[e.FunctionName] ?? 0) + 1;
    }
  }
  const created = (parent.historyEvents ?? []).filter((e) => e.EventType === 'SubOrchestrationInstanceCreated').length;
  if (created !== subs.length)
    throw new Error(
      `history names ${created} sub-orchestrations but ${subs.length} instances start with ${instanceId}:`,
    );
  return {
    byFunction,
    total: Object.values(byFunction).reduce((a, b) => a + b, 0),
    subOrchestrations: subs.length,
    parentHistoryEvents: parent.historyEvents?.length ?? 0,
    largestSubHistoryEvents: Math.max(0, ...subs.map((s) => s.historyEvents?.length ?? 0)),
    phasesMs: phases(parent.historyEvents ?? []),
  };
}
