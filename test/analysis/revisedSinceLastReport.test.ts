import { closedWindowFromStored } from '../../src/core';
import type { RevisedSinceLastReport } from '../../src/core/analysis/types';
import { encodeStreamKey } from '../../src/core/streams';
import { ANALYZE_CHUNK, analyzeChunk } from '../../src/functions/analysis/analyzeChunk';
import { analyzeStreamsHandler } from '../../src/functions/analysis/analyzeStreams';
import type { AnalysisDeps } from '../../src/functions/analysis/deps';
import { FINALIZE_REPORT, finalizeReport } from '../../src/functions/analysis/finalizeReport';
import { LIST_JOB_STREAMS, listJobStreams } from '../../src/functions/analysis/listJobStreams';
import { newAlerts, RAISE_ALERTS } from '../../src/functions/analysis/raiseAlerts';
import type { AnalysisJob } from '../../src/functions/analysis/request';
import type { AnalysisOutput, ChunkInput, FinalizeInput } from '../../src/functions/analysis/types';
import type { AlertRecord } from '../../src/storage/types';
import { closedWindow, MINUTE, seededDeps, T0 } from './fixtures';
import { runOrchestration } from './runOrchestration';

/**
 * An analysis lists, in its report, the revisions of the windows the pipeline's previous report read
 * (docs/explanation/analysis.md, "Revisions since the last report"): the real orchestration and activities on memory
 * stores; the revision written as the stream entity writes it (v1 and v2 in WindowVersions, v2 in Windows).
 */

const job: AnalysisJob = {
  pipeline: 'p',
  from: new Date(T0).toISOString(),
  to: new Date(T0 + 3_600_000).toISOString(),
  analyses: ['summary'],
};

function activities(deps: AnalysisDeps) {
  return {
    [LIST_JOB_STREAMS]: (input: unknown) => listJobStreams(deps.streams, input as AnalysisJob),
    [ANALYZE_CHUNK]: (input: unknown) => analyzeChunk(deps, input as ChunkInput, 1.5),
    [RAISE_ALERTS]: (input: unknown) => newAlerts(deps.alerts, input as AlertRecord[]).then((a) => a.length),
    [FINALIZE_REPORT]: (input: unknown) => finalizeReport(deps, input as FinalizeInput),
  };
}

const run = async (deps: AnalysisDeps, instanceId: string) =>
  (await runOrchestration(analyzeStreamsHandler, job, activities(deps), { instanceId })).output as AnalysisOutput;

/** A revision as saveRevisions writes it: the latest row as version 1 and `values` as version 2, then the latest. */
async function revise(deps: AnalysisDeps, stream: string, start: number, values: number[]): Promise<void> {
  const key = encodeStreamKey('p', stream);
  const v1 = (await deps.windows.query(key, { from: start, to: start + 1 })).items[0];
  if (v1 === undefined) throw new Error(`expected a window at ${start} of ${stream}, found none`);
  const v2 = closedWindow(start, values);
  const data = { ...v2.data, version: 2 };
  await deps.windowVersions!.put(key, [
    { start, version: 1, data: v1.data },
    { start, version: 2, data },
  ]);
  await deps.windows.upsert(key, [{ ...v2, data }]);
}

describe('analysis: revisions since the last report', () => {
  it('lists a window revised after the previous report read it, once, with the version read and the delta', async () => {
    const deps = await seededDeps('p', [{ stream: 'a' }, { stream: 'b' }]);
    // A window closed after the first report (outside what it read), revised later: no report used it.
    await deps.windows.upsert(encodeStreamKey('p', 'b'), [closedWindow(T0 + 120 * MINUTE, [1])]);

    expect((await run(deps, 'run-1')).revisedSinceLastReport).toBeUndefined();
    const report1 = await deps.reports.get('run-1');
    expect(report1?.streams.find((s) => s.stream === 'a')?.read).toEqual({ starts: [[T0, MINUTE, 60]], versions: [] });

    // Nothing revised since run-1: an empty list naming the report compared with.
    const nothing: RevisedSinceLastReport = { previousReportId: 'run-1', total: 0, windows: [] };
    expect((await run(deps, 'run-2')).revisedSinceLastReport).toEqual(nothing);

    const start = T0 + 10 * MINUTE;
    const before = closedWindowFromStored(
      (await deps.windows.query(encodeStreamKey('p', 'a'), { from: start, to: start + 1 })).items[0]?.data,
    ) as { events: number; measures: { value: { sum: number; mean: number } } };
    await revise(deps, 'a', start, [100, 100, 100, 100, 100, 400, 400]);
    await revise(deps, 'b', T0 + 120 * MINUTE, [1, 2]);

    const out3 = await run(deps, 'run-3');
    const listed = {
      previousReportId: 'run-2',
      total: 1,
      windows: [
        {
          pipeline: 'p',
          stream: 'a',
          windowStart: new Date(start).toISOString(),
          fromVersion: 1,
          toVersion: 2,
          events: { before: 5, after: 7 },
          measures: {
            value: {
              before: { count: 5, sum: before.measures.value.sum, mean: before.measures.value.mean },
              after: { count: 7, sum: 1300, mean: 1300 / 7 },
            },
          },
        },
      ],
    };
    expect(before.events).toBe(5);
    expect(out3.revisedSinceLastReport).toEqual(listed);
    expect((await deps.reports.get('run-3'))?.revisedSinceLastReport).toEqual(listed);
    // run-3 read version 2: the next report has nothing to list.
    expect((await deps.reports.get('run-3'))?.streams.find((s) => s.stream === 'a')?.read?.versions).toEqual([
      [start, 2],
    ]);
    expect((await run(deps, 'run-4')).revisedSinceLastReport).toEqual({ ...nothing, previousReportId: 'run-3' });

    // The last activity re-run (a retry after it moved the pointer) compares with the same previous report.
    const again = await finalizeReport(deps, {
      reportId: 'run-4',
      job,
      generatedAt: new Date(T0).toISOString(),
      digests: [],
    });
    expect(again.revisedSinceLastReport?.previousReportId).toBe('run-3');
    expect(await deps.reports.latest('p')).toEqual({ reportId: 'run-4', previousReportId: 'run-3' });
  });
});
