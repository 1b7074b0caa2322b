import { gaussian, mulberry32 } from '../random/prng';
import { analyzeStream, totalCount } from './analyzeStream';
import { buildReport } from './buildReport';
import { mostActive } from './crossStream';
import { DEFAULT_ALERT_MIN_SEVERITY } from './detectAnomalies';
import { seriesOf } from './testing/windows';
import { ANALYSIS_KINDS } from './types';

describe('buildReport', () => {
  it('ranks streams with planted anomalies first and correlates the most active ones', () => {
    const g = gaussian(mulberry32(99));
    // A common random factor (sd 5) shared by every stream plus its own noise (sd 1).
    const base = Array.from({ length: 120 }, () => 100 + 5 * g());
    const streams = ['calm-1', 'calm-2', 'big-spike', 'small-spike', 'calm-3'].map((name) => {
      const means = base.map((b) => b + g());
      if (name === 'big-spike') means[60] = 200;
      if (name === 'small-spike') means[90] = 140;
      // Calm streams carry more events, so they are the most active three.
      const windows = seriesOf(means).map((w) => ({ ...w, count: name.startsWith('calm') ? 2 : 1 }));
      return { name, windows };
    });
    const results = streams.map((s) => analyzeStream(s.name, s.windows, ANALYSIS_KINDS));
    const series = mostActive(
      streams.map((s) => ({
        stream: s.name,
        count: totalCount(s.windows),
        means: new Map(s.windows.map((w) => [w.start, w.mean])),
      })),
      3,
    );
    const report = buildReport('p', { from: 'a', to: 'b' }, results, {
      generatedAt: '2025-01-01T00:00:00.000Z',
      analyses: ANALYSIS_KINDS,
      series,
    });
    expect(report.ranking.slice(0, 2).map((r) => r.stream)).toEqual(['big-spike', 'small-spike']);
    expect(report.streams.map((s) => s.stream).slice(0, 2)).toEqual(['big-spike', 'small-spike']);
    for (const calm of report.streams.slice(2)) expect(calm.maxSeverity).toBeLessThan(DEFAULT_ALERT_MIN_SEVERITY);
    expect(report.streamCount).toBe(5);
    expect(report.anomalyCount).toBe(results.reduce((n, r) => n + r.anomalies!.length, 0));
    // The three most active share the common factor: 3 pairs, strongly correlated.
    expect(report.correlations).toHaveLength(3);
    expect(new Set(report.correlations.flatMap((c) => [c.a, c.b]))).toEqual(new Set(['calm-1', 'calm-2', 'calm-3']));
    for (const c of report.correlations) expect(c.r).toBeGreaterThan(0.9);
    expect(report.streams[0]!.summary!.count).toBe(120);
    expect(report.ranking[0]!.count).toBe(120);
    expect(report.streams[2]!.summary!.count).toBe(240);
    expect(report.streams[0]!.forecast!.points).toHaveLength(12);
  });

  it('runs only the requested analyses', () => {
    const r = analyzeStream('s', seriesOf([1, 2, 3, 4, 5]), ['trend']);
    expect(Object.keys(r).sort()).toEqual(['maxSeverity', 'stream', 'trend', 'windows']);
  });
});
