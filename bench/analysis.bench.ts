/**
 * Pure analysis cost for 1,000 streams x 500 windows (summary, anomalies, trend, forecast), next to a
 * baseline measured in the same run (one plain mean/stddev pass over the same window means), plus the
 * chunking plan (activities, sub-orchestrations) for that many streams. `--json` prints one JSON object.
 * Windows carry their own quantiles but no sketches, so quantiles take the mixture path.
 * BENCH_STREAMS / BENCH_WINDOWS override the sizes.
 */
import { analyzeStream } from '../src/core/analysis/analyzeStream';
import { detectAnomalies } from '../src/core/analysis/detectAnomalies';
import { holtForecast } from '../src/core/analysis/holt';
import { summarizeRange } from '../src/core/analysis/summarizeRange';
import { trend } from '../src/core/analysis/trend';
import { ANALYSIS_KINDS, type WindowPoint } from '../src/core/analysis/types';
import { gaussian, mulberry32 } from '../src/core/random/prng';
import { CHUNK_SIZE, FAN_OUT_WAVE, planChunks } from '../src/functions/analysis/plan';

const STREAMS = Number(process.env['BENCH_STREAMS'] ?? 1000);
const WINDOWS = Number(process.env['BENCH_WINDOWS'] ?? 500);
const T0 = Date.parse('2026-11-26T00:00:00Z');

function makeStream(seed: number): WindowPoint[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: WINDOWS }, (_, i) => {
    const mean = 100 + 5 * g() + (i === 250 ? 60 : 0);
    const sd = 3 + Math.abs(g());
    return {
      start: new Date(T0 + i * 60_000).toISOString(),
      end: new Date(T0 + (i + 1) * 60_000).toISOString(),
      count: 50,
      sum: mean * 50,
      mean,
      stddev: sd,
      min: mean - 3 * sd,
      max: mean + 3 * sd,
      p50: mean,
      p90: mean + 1.28 * sd,
      p99: mean + 2.33 * sd,
    };
  });
}

const streams = Array.from({ length: STREAMS }, (_, i) => makeStream(i + 1));

function baseline(ws: WindowPoint[]): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const w of ws) {
    n++;
    const d = w.mean - mean;
    mean += d / n;
    m2 += d * (w.mean - mean);
  }
  return Math.sqrt(m2 / n);
}

function measure(
  label: string,
  fn: (ws: WindowPoint[]) => number,
): { label: string; ms: number; streamsPerSec: number; windowsPerSec: number; check: number } {
  for (let i = 0; i < Math.min(20, streams.length); i++) fn(streams[i]!);
  let check = 0;
  const start = process.hrtime.bigint();
  for (const ws of streams) check += fn(ws);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    label,
    ms: Math.round(ms),
    streamsPerSec: Math.round(STREAMS / (ms / 1000)),
    windowsPerSec: Math.round((STREAMS * WINDOWS) / (ms / 1000)),
    check: Math.round(check),
  };
}

const results = [
  measure('baseline: one mean/stddev pass over window means', baseline),
  measure('summary (pooled stddev + mixture quantiles)', (ws) => summarizeRange(ws)!.count),
  measure('anomalies (robust z + EWMA + CUSUM)', (ws) => detectAnomalies(ws).length),
  measure('trend (OLS + t interval)', (ws) => trend(ws)!.points),
  measure('forecast (Holt, 11x11 grid fit)', (ws) => holtForecast(ws)!.points.length),
  measure('all four (analyzeStream)', (ws) => analyzeStream('s', ws, ANALYSIS_KINDS).maxSeverity),
];
const baseMs = results[0]!.ms || 1;
const plan = planChunks(streams.map((_, i) => `s${i}`));
const all = results[results.length - 1]!;
const report = {
  streams: STREAMS,
  windowsPerStream: WINDOWS,
  node: process.version,
  results: results.map((r) => ({ ...r, xBaseline: Math.round((r.ms / baseMs) * 10) / 10 })),
  chunking: {
    streamsPerActivity: CHUNK_SIZE,
    activities: plan.chunks.length,
    subOrchestrations: plan.groups?.length ?? 0,
    waves: Math.ceil((plan.groups?.length ?? plan.chunks.length) / FAN_OUT_WAVE),
    pureMsPerActivity: Math.round((all.ms / STREAMS) * CHUNK_SIZE),
  },
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  console.log(`analysis of ${STREAMS} streams x ${WINDOWS} windows (${process.version})`);
  for (const r of report.results)
    console.log(
      `  ${r.label.padEnd(52)} ${String(r.ms).padStart(7)} ms  ${String(r.windowsPerSec).padStart(11)} windows/s  x${r.xBaseline}`,
    );
  const c = report.chunking;
  console.log(
    `  plan: ${c.activities} activities of ${c.streamsPerActivity} streams, ${c.subOrchestrations} sub-orchestrations, ${c.waves} wave(s); ~${c.pureMsPerActivity} ms pure compute per activity`,
  );
}
