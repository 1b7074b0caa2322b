import { ANALYZE_CHUNK, analyzeChunk } from '../../src/functions/analysis/analyzeChunk';
import { ANALYZE_STREAM_GROUP, analyzeStreamGroupHandler } from '../../src/functions/analysis/analyzeStreamGroup';
import { analyzeStreamsHandler } from '../../src/functions/analysis/analyzeStreams';
import type { AnalysisDeps } from '../../src/functions/analysis/deps';
import { FINALIZE_REPORT, finalizeReport } from '../../src/functions/analysis/finalizeReport';
import { LIST_JOB_STREAMS, listJobStreams } from '../../src/functions/analysis/listJobStreams';
import { CHUNK_SIZE } from '../../src/functions/analysis/plan';
import { newAlerts, RAISE_ALERTS } from '../../src/functions/analysis/raiseAlerts';
import type { AnalysisJob } from '../../src/functions/analysis/request';
import type { AnalysisOutput, ChunkInput, FinalizeInput, Progress } from '../../src/functions/analysis/types';
import type { AlertRecord } from '../../src/storage/types';
import { type PlantedStream, seededDeps, T0 } from './fixtures';
import { runOrchestration } from './runOrchestration';

const job = (over: Partial<AnalysisJob> = {}): AnalysisJob => ({
  pipeline: 'p',
  from: new Date(T0).toISOString(),
  to: new Date(T0 + 3_600_000).toISOString(),
  analyses: ['summary', 'anomalies', 'trend', 'forecast'],
  ...over,
});

/** The real activity handlers' logic on memory stores, recording what was published to the alerts hub. */
function activities(deps: AnalysisDeps, published: AlertRecord[][]) {
  return {
    [LIST_JOB_STREAMS]: (input: unknown) => listJobStreams(deps.streams, input as AnalysisJob),
    [ANALYZE_CHUNK]: (input: unknown) => analyzeChunk(deps, input as ChunkInput, 1.5),
    [RAISE_ALERTS]: async (input: unknown) => {
      const fresh = await newAlerts(deps.alerts, input as AlertRecord[]);
      if (fresh.length) published.push(fresh);
      return fresh.length;
    },
    [FINALIZE_REPORT]: (input: unknown) => finalizeReport(deps, input as FinalizeInput),
  };
}

describe('analyzeStreams orchestration', () => {
  it('analyses every stream in chunks, ranks planted anomalies first, saves the report and raises alerts once', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    const spikes: Record<string, Record<number, number>> = { s07: { 30: 80 }, s42: { 20: -60 } };
    const deps = await seededDeps(
      'p',
      names.map((stream): PlantedStream => ({ stream, ...(spikes[stream] ? { spikes: spikes[stream] } : {}) })),
    );
    const published: AlertRecord[][] = [];
    const run = await runOrchestration(analyzeStreamsHandler, job(), activities(deps, published), {
      instanceId: 'run-1',
    });
    const out = run.output as AnalysisOutput;

    expect(out.reportId).toBe('run-1');
    expect(out.streamCount).toBe(60);
    expect(
      out.ranking
        .slice(0, 2)
        .map((r) => r.stream)
        .sort(),
    ).toEqual(['s07', 's42']);
    expect(out.ranking[0]!.maxSeverity).toBeGreaterThan(2);
    expect(out.generatedAt).toBe('2025-01-02T00:00:00.000Z');
    // correlations of the 10 most active streams (all equal counts -> first 10 by name)
    expect(out.correlations.length).toBe(45);

    // chunks of CHUNK_SIZE in one wave; progress reaches the total
    const chunkCalls = run.episodes.flatMap((e) => e.scheduled).filter((s) => s.name === ANALYZE_CHUNK);
    expect(chunkCalls.map((c) => (c.input as ChunkInput).streams.length)).toEqual([25, 25, 10]);
    expect(CHUNK_SIZE).toBe(25);
    const last = run.episodes[run.episodes.length - 1]!.customStatus as Progress;
    expect(last).toEqual({ phase: 'done', streams: 60, chunksDone: 3, chunksTotal: 3 });

    const report = (await deps.reports.get('run-1'))!;
    expect(report.streams).toHaveLength(60);
    expect(
      report.streams
        .slice(0, 2)
        .map((s) => s.stream)
        .sort(),
    ).toEqual(['s07', 's42']);
    expect(report.streams[0]!.summary!.count).toBe(300);

    const alerts = published.flat();
    expect(out.alertsRaised).toBe(alerts.length);
    expect(new Set(alerts.map((a) => a.stream))).toEqual(new Set(['s07', 's42']));
    expect(alerts.every((a) => a.raisedAt === '2025-01-02T00:00:00.000Z' && a.reportId === 'run-1')).toBe(true);

    // Running the same period again stores nothing new and publishes nothing.
    const again = await runOrchestration(analyzeStreamsHandler, job(), activities(deps, published), {
      instanceId: 'run-2',
    });
    expect((again.output as AnalysisOutput).alertsRaised).toBe(0);
    expect(published).toHaveLength(1);
    expect((await deps.alerts.query()).items).toHaveLength(alerts.length);
  });

  it('uses sub-orchestrations for many streams and still covers each stream once', async () => {
    const names = Array.from({ length: 520 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const deps = await seededDeps(
      'p',
      names.map((stream) => ({ stream })),
      12,
    );
    const run = await runOrchestration(analyzeStreamsHandler, job({ analyses: ['summary'] }), activities(deps, []), {
      orchestrators: { [ANALYZE_STREAM_GROUP]: analyzeStreamGroupHandler },
    });
    const top = run.episodes.flatMap((e) => e.scheduled);
    expect(top.filter((s) => s.name === ANALYZE_STREAM_GROUP)).toHaveLength(2);
    expect(top.filter((s) => s.name === ANALYZE_CHUNK)).toHaveLength(0);
    expect((run.output as AnalysisOutput).streamCount).toBe(520);
    expect((await deps.reports.get('instance-1'))!.streams.map((s) => s.stream).sort()).toEqual(names);
  });

  it('analyses only the listed streams or a prefix', async () => {
    const deps = await seededDeps(
      'p',
      ['a1', 'a2', 'b1'].map((stream) => ({ stream })),
      10,
    );
    expect(await listJobStreams(deps.streams, job({ streams: { prefix: 'a' } }))).toEqual(['a1', 'a2']);
    expect(await listJobStreams(deps.streams, job({ streams: ['b1', 'zz', 'b1'] }))).toEqual(['b1', 'zz']);
    const run = await runOrchestration(
      analyzeStreamsHandler,
      job({ streams: ['b1', 'zz'], analyses: ['summary'] }),
      activities(deps, []),
    );
    const report = (await deps.reports.get('instance-1'))!;
    expect((run.output as AnalysisOutput).streamCount).toBe(2);
    // An unknown stream is reported with no windows rather than dropped.
    expect(report.streams.find((s) => s.stream === 'zz')).toEqual({ stream: 'zz', windows: 0, maxSeverity: 0 });
  });

  it('is deterministic: replaying the same history gives the same actions', async () => {
    // Two identical worlds: the second run must not see the first one's alerts.
    const world = () => seededDeps('p', [{ stream: 'x', spikes: { 5: 90 } }], 30);
    const a = await runOrchestration(analyzeStreamsHandler, job(), activities(await world(), []));
    const b = await runOrchestration(analyzeStreamsHandler, job(), activities(await world(), []));
    expect((a.output as AnalysisOutput).alertsRaised).toBeGreaterThan(0);
    expect(b.episodes.map((e) => e.scheduled.map((s) => s.name))).toEqual(
      a.episodes.map((e) => e.scheduled.map((s) => s.name)),
    );
    expect(b.output).toEqual(a.output);
  });

  it('calls every activity with retry options and survives transient failures with the same result', async () => {
    const world = () =>
      seededDeps(
        'p',
        ['a', 'b', 'c'].map((stream) => ({ stream, ...(stream === 'b' ? { spikes: { 5: 90 } } : {}) })),
        30,
      );
    const clean = await runOrchestration(analyzeStreamsHandler, job(), activities(await world(), []));
    const deps = await world();
    const fns = activities(deps, []);
    // Each activity fails its first two attempts (a storage hiccup), then works.
    const calls = new Map<string, number>();
    const flaky = Object.fromEntries(
      Object.entries(fns).map(([name, fn]) => [
        name,
        async (input: unknown) => {
          const n = (calls.get(name) ?? 0) + 1;
          calls.set(name, n);
          if (n <= 2) throw new Error(`${name}: injected failure ${n}`);
          return fn(input);
        },
      ]),
    );
    const run = await runOrchestration(analyzeStreamsHandler, job(), flaky);
    expect(run.output).toEqual(clean.output);
    expect((await deps.reports.get('instance-1'))!.streams.map((s) => s.stream).sort()).toEqual(['a', 'b', 'c']);
    const scheduled = run.episodes.flatMap((e) => e.scheduled);
    expect(scheduled.map((s) => s.name).sort()).toEqual([
      ANALYZE_CHUNK,
      FINALIZE_REPORT,
      LIST_JOB_STREAMS,
      RAISE_ALERTS,
    ]);
    for (const s of scheduled)
      expect(s.retryOptions).toMatchObject({
        maxNumberOfAttempts: 4,
        firstRetryIntervalInMilliseconds: 5000,
        backoffCoefficient: 2,
      });
    expect(Object.fromEntries(calls)).toEqual({
      [LIST_JOB_STREAMS]: 3,
      [ANALYZE_CHUNK]: 3,
      [RAISE_ALERTS]: 3,
      [FINALIZE_REPORT]: 3,
    });
  });

  it('fails the run once an activity has failed all its attempts', async () => {
    const deps = await seededDeps('p', [{ stream: 'a' }], 10);
    let chunkCalls = 0;
    const fns = {
      ...activities(deps, []),
      [ANALYZE_CHUNK]: async () => {
        chunkCalls++;
        throw new Error('table down');
      },
    };
    await expect(runOrchestration(analyzeStreamsHandler, job(), fns)).rejects.toThrow(/"error":"table down/);
    expect(chunkCalls).toBe(4);
  });
});
