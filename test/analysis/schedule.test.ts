import { ANALYZE_CHUNK } from '../../src/functions/analysis/analyzeChunk';
import { analyzeChunk } from '../../src/functions/analysis/analyzeChunk';
import { analyzeStreamsHandler } from '../../src/functions/analysis/analyzeStreams';
import { FINALIZE_REPORT, finalizeReport } from '../../src/functions/analysis/finalizeReport';
import { LIST_JOB_STREAMS, listJobStreams } from '../../src/functions/analysis/listJobStreams';
import { newAlerts, RAISE_ALERTS } from '../../src/functions/analysis/raiseAlerts';
import type { AnalysisJob } from '../../src/functions/analysis/request';
import { type ScheduleClient, startScheduledRuns } from '../../src/functions/analysis/scheduleAnalysis';
import { MAX_SCHEDULED_ATTEMPTS, schedulePeriod } from '../../src/functions/analysis/schedulePeriod';
import type { ChunkInput, FinalizeInput } from '../../src/functions/analysis/types';
import type { AlertRecord } from '../../src/storage/types';
import { seededDeps, T0 } from './fixtures';
import { runOrchestration } from './runOrchestration';

/**
 * The schedule against a durable client stand-in that really runs each started orchestration (the replay driver with
 * the real activities), recording its runtime status as the extension would: Completed, or Failed when it threw.
 */
async function durable(storageDown: { value: boolean }) {
  const deps = await seededDeps('p', [{ stream: 'a' }, { stream: 'b' }], 60);
  const statuses = new Map<string, string>();
  const client: ScheduleClient = {
    status: async (id) => statuses.get(id),
    start: async (id, job: AnalysisJob) => {
      const chunk = async (input: unknown) => {
        if (storageDown.value) throw new Error('table storage unavailable');
        return analyzeChunk(deps, input as ChunkInput, 1.5);
      };
      const fns = {
        [LIST_JOB_STREAMS]: (input: unknown) => listJobStreams(deps.streams, input as AnalysisJob),
        [ANALYZE_CHUNK]: chunk,
        [RAISE_ALERTS]: async (input: unknown) => (await newAlerts(deps.alerts, input as AlertRecord[])).length,
        [FINALIZE_REPORT]: (input: unknown) => finalizeReport(deps, input as FinalizeInput),
      };
      try {
        await runOrchestration(analyzeStreamsHandler, job, fns, { instanceId: id });
        statuses.set(id, 'Completed');
      } catch {
        statuses.set(id, 'Failed');
      }
    },
  };
  return { deps, statuses, client };
}

const logs: string[] = [];
const log = {
  log: (...a: unknown[]) => logs.push(a.join(' ')),
  warn: (...a: unknown[]) => logs.push(`WARN ${a.join(' ')}`),
};

beforeEach(() => {
  logs.length = 0;
});

describe('scheduled analysis', () => {
  const period = schedulePeriod(T0 + 3_600_000 + 17_000, 60);

  it('starts a failed period again under the next attempt id, and only until one completes', async () => {
    const down = { value: true };
    const { deps, statuses, client } = await durable(down);
    expect(await startScheduledRuns(client, ['p'], period, log)).toEqual(['analysis-p-20250101T000000Z']);
    expect(statuses.get('analysis-p-20250101T000000Z')).toBe('Failed');

    down.value = false;
    expect(await startScheduledRuns(client, ['p'], period, log)).toEqual(['analysis-p-20250101T000000Z-attempt2']);
    expect(statuses.get('analysis-p-20250101T000000Z-attempt2')).toBe('Completed');
    expect((await deps.reports.get('analysis-p-20250101T000000Z-attempt2'))?.streamCount).toBe(2);

    // Later firings in the same period find the completed attempt and start nothing.
    expect(await startScheduledRuns(client, ['p'], period, log)).toEqual([]);
    expect(logs).toContain('Analysis analysis-p-20250101T000000Z ended Failed; starting attempt 2');
    expect(logs[logs.length - 1]).toBe(
      'Analysis analysis-p-20250101T000000Z-attempt2 already exists; not starting it again',
    );
    expect([...statuses.keys()]).toHaveLength(2);
  });

  it('gives up on a period after the last attempt fails, saying so', async () => {
    const { statuses, client } = await durable({ value: true });
    for (let firing = 0; firing < MAX_SCHEDULED_ATTEMPTS + 2; firing++)
      await startScheduledRuns(client, ['p'], period, log);
    expect([...statuses.entries()]).toEqual([
      ['analysis-p-20250101T000000Z', 'Failed'],
      ['analysis-p-20250101T000000Z-attempt2', 'Failed'],
      ['analysis-p-20250101T000000Z-attempt3', 'Failed'],
    ]);
    expect(logs.filter((l) => l.startsWith('WARN'))).toEqual([
      `WARN Analysis analysis-p-20250101T000000Z-attempt3 ended Failed, the last of ${MAX_SCHEDULED_ATTEMPTS} attempts for this period; not starting another`,
      `WARN Analysis analysis-p-20250101T000000Z-attempt3 ended Failed, the last of ${MAX_SCHEDULED_ATTEMPTS} attempts for this period; not starting another`,
    ]);
  });

  it('treats a terminated run like a failed one, and leaves a running one alone', async () => {
    const statuses = new Map<string, string>([
      ['analysis-p-20250101T000000Z', 'Terminated'],
      ['analysis-q-20250101T000000Z', 'Running'],
    ]);
    const started: string[] = [];
    const client: ScheduleClient = {
      status: async (id) => statuses.get(id),
      start: async (id) => void started.push(id),
    };
    expect(await startScheduledRuns(client, ['p', 'q'], period, log)).toEqual(['analysis-p-20250101T000000Z-attempt2']);
    expect(started).toEqual(['analysis-p-20250101T000000Z-attempt2']);
  });
});
