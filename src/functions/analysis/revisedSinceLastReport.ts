import { closedWindowFromStored } from '../../core';
import type { RevisedMeasure, RevisedSinceLastReport, RevisedWindow } from '../../core/analysis/types';
import { readRange, readVersions } from '../../core/analysis/windowsRead';
import { encodeStreamKey } from '../../core/streams';
import { allItems } from '../../storage/allItems';
import type { ReportStore, WindowVersionRecord, WindowVersionStore } from '../../storage/types';

/**
 * At most this many revised windows are listed in a report (its header is also the orchestration's output, kept in
 * its history); `total` counts them all.
 */
export const MAX_LISTED_REVISIONS = 200;

/**
 * The revisions, since `previousReportId`, of the windows that report read (each stream result's `read`): per stream,
 * one WindowVersions query over the range it read, which holds rows only for revised windows (the history is written
 * from a window's first revision on), keeping the windows whose latest version is above the version read.
 * A previous report no longer stored (purged) lists nothing.
 */
export async function revisedSinceLastReport(
  deps: { reports: ReportStore; windowVersions: WindowVersionStore },
  pipeline: string,
  previousReportId: string,
): Promise<RevisedSinceLastReport> {
  const previous = await deps.reports.get(previousReportId);
  const windows: RevisedWindow[] = [];
  let total = 0;
  const streams = [...(previous?.streams ?? [])].sort((a, b) =>
    a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0,
  );
  for (const s of streams) {
    const range = s.read && readRange(s.read);
    // A name with a lone surrogate has no key (ingest dead-letters such keys), so it has no windows.
    if (!s.read || !range || !s.stream.isWellFormed() || !pipeline.isWellFormed()) continue;
    const read = readVersions(s.read);
    const byStart = new Map<number, WindowVersionRecord[]>();
    const key = encodeStreamKey(pipeline, s.stream);
    for await (const v of allItems((c) =>
      deps.windowVersions.listRange(key, range.from, range.to, { limit: 1000, ...c }),
    )) {
      const list = byStart.get(v.start);
      if (list) list.push(v);
      else byStart.set(v.start, [v]);
    }
    for (const [start, versions] of byStart) {
      const readAt = read.get(start);
      const latest = versions[versions.length - 1];
      if (readAt === undefined || latest === undefined || latest.version <= readAt) continue;
      total++;
      if (windows.length < MAX_LISTED_REVISIONS)
        windows.push(
          revisedWindow(
            pipeline,
            s.stream,
            start,
            readAt,
            versions.find((v) => v.version === readAt),
            latest,
          ),
        );
    }
  }
  return { previousReportId, total, windows };
}

interface WindowView {
  events?: unknown;
  measures?: Record<string, { count?: unknown; sum?: unknown; mean?: unknown } | undefined>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function measureOf(view: WindowView | undefined, name: string): RevisedMeasure | null {
  const m = view?.measures?.[name];
  if (m === undefined) return null;
  return { count: num(m.count) ?? 0, sum: num(m.sum) ?? 0, mean: num(m.mean) };
}

function revisedWindow(
  pipeline: string,
  stream: string,
  start: number,
  fromVersion: number,
  from: WindowVersionRecord | undefined,
  latest: WindowVersionRecord,
): RevisedWindow {
  const before = from === undefined ? undefined : (closedWindowFromStored(from.data) as WindowView);
  const after = closedWindowFromStored(latest.data) as WindowView;
  const names = [...new Set([...Object.keys(before?.measures ?? {}), ...Object.keys(after.measures ?? {})])].sort();
  return {
    pipeline,
    stream,
    windowStart: new Date(start).toISOString(),
    fromVersion,
    toVersion: latest.version,
    events: { before: before === undefined ? null : num(before.events), after: num(after.events) ?? 0 },
    measures: Object.fromEntries(names.map((n) => [n, { before: measureOf(before, n), after: measureOf(after, n) }])),
  };
}
