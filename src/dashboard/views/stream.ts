import { html } from 'htm/preact';

import { api, type Page, type StreamView, type Summary } from '../api';
import { Chart } from '../chart';
import { fmtMs, fmtNumber, fmtTime } from '../format';
import { ErrorBox, Stat, Status, usePoll } from '../hooks';

interface ClosedWindow {
  start: number;
  end: number;
  data: { events: number; measures: Record<string, Summary> };
}
interface Anomaly {
  windowStart: string;
  value: number;
  severity: number;
  kind: string;
}
interface ForecastPoint {
  windowStart: string;
  value: number;
  lower: number;
  upper: number;
}
interface StreamResult {
  stream: string;
  anomalies?: Anomaly[];
  forecast?: { points: ForecastPoint[] } | null;
  trend?: { slopePerHour: number } | null;
}

const HISTORY_MS = 2 * 3_600_000;

/** Seconds between consecutive window starts (the window hop), for the chart's x padding. */
const stepOf = (starts: number[]): number =>
  starts.length > 1 ? Math.min(...starts.slice(1).map((s, i) => s - (starts[i] as number))) / 1000 : 60;

async function loadStream(pipeline: string, stream: string) {
  const names = `pipeline=${encodeURIComponent(pipeline)}&stream=${encodeURIComponent(stream)}`;
  const [view, closed, runs] = await Promise.all([
    api<StreamView>(`stream?${names}`),
    api<Page<ClosedWindow>>(`stream/windows?${names}&from=${Date.now() - HISTORY_MS}&limit=1000`),
    api<{ items: { id: string; runtimeStatus: string; createdTime: string }[] }>('analyses?status=Completed').catch(
      () => ({ items: [] }),
    ),
  ]);
  // The latest completed analysis of this pipeline that covered the stream, if any.
  let analysis: StreamResult | undefined;
  for (const run of runs.items.slice(0, 5)) {
    const r = await api<{ report?: { pipeline: string; streams: StreamResult[] } }>(
      `analyses/${encodeURIComponent(run.id)}`,
    ).catch(() => undefined);
    const found = r?.report?.pipeline === pipeline ? r.report.streams.find((s) => s.stream === stream) : undefined;
    if (found) {
      analysis = found;
      break;
    }
  }
  return { view, closed: closed.items, analysis };
}

export function StreamDetailView({ pipeline, stream }: { pipeline: string; stream: string }) {
  const polled = usePoll(() => loadStream(pipeline, stream), [pipeline, stream]);
  const d = polled.data;
  const measure = Object.keys(d?.view.windows[0]?.measures ?? d?.closed[0]?.data.measures ?? {}).sort()[0] ?? 'value';
  // Closed windows, then the live ones (the entity's view wins for a window in both).
  const byStart = new Map<number, { events: number; m: Summary | undefined; live: boolean }>();
  for (const w of d?.closed ?? [])
    byStart.set(w.start, { events: w.data.events, m: w.data.measures[measure], live: false });
  for (const w of d?.view.windows ?? []) byStart.set(w.start, { events: w.events, m: w.measures[measure], live: true });
  const forecast = d?.analysis?.forecast?.points ?? [];
  for (const f of forecast)
    if (!byStart.has(Date.parse(f.windowStart)))
      byStart.set(Date.parse(f.windowStart), { events: 0, m: undefined, live: false });
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const x = starts.map((s) => s / 1000);
  const col = (f: (w: { events: number; m: Summary | undefined; live: boolean }) => number | null) =>
    starts.map((s) => f(byStart.get(s) as { events: number; m: Summary | undefined; live: boolean }));
  const anomalies = new Map((d?.analysis?.anomalies ?? []).map((a) => [Date.parse(a.windowStart), a.value]));
  const forecastAt = new Map(forecast.map((f) => [Date.parse(f.windowStart), f]));
  const m = d?.view.metrics;
  return html`<section>
    <header class="view-head">
      <h1>Stream <code>${stream}</code> <small class="muted">pipeline ${pipeline}</small></h1>
      <${Status} polled=${polled} />
    </header>
    <p><a href="#/streams">← All streams</a></p>
    ${polled.error && !d ? html`<${ErrorBox} error=${polled.error} />` : null}
    <div class="stats">
      <${Stat} label="Events" value=${fmtNumber(d?.view.events)} />
      <${Stat} label="Events in" value=${fmtNumber(m?.eventsPerSec, 1)} unit="events/s" />
      <${Stat} label="Latency p50" value=${fmtMs(m?.latencyP50)} />
      <${Stat} label="Latency p99" value=${fmtMs(m?.latencyP99)} />
      <${Stat}
        label="Watermark"
        value=${fmtTime(d?.view.watermark ?? null)}
        hint="Windows ending before it (plus lateness) are closed"
      />
      <${Stat} label="Late" value=${fmtNumber(m ? m.late + m.lateAtEntity : null)} hint="At ingest + at the entity" />
      <${Stat} label="Duplicates" value=${fmtNumber(m?.duplicates)} hint="Redelivered partials suppressed" />
      <${Stat}
        label="Revisions"
        value=${fmtNumber(m ? (m.revisions ?? 0) : null)}
        hint="Closed windows revised by late events within corrections"
      />
      <${Stat} label="Conflicts" value=${fmtNumber(m?.conflicts)} />
      <${Stat} label="Invalid" value=${fmtNumber(m?.invalid)} hint="Dead-lettered for schema or expression errors" />
    </div>
    <${Chart}
      title=${`Windows of ${measure}: mean with min–max band, p50 and p99; live windows marked`}
      height=${280}
      step=${stepOf(starts)}
      x=${x}
      yLabel=${measure}
      bands=${[[1, 0]]}
      series=${[
        { label: 'min', color: '#94a3b8', dash: [4, 4] },
        { label: 'max', color: '#94a3b8', dash: [4, 4] },
        { label: 'mean', color: '#3b82f6' },
        { label: 'p50', color: '#10b981' },
        { label: 'p99', color: '#f59e0b' },
        { label: 'live (open)', color: '#0ea5e9', kind: 'points' },
        { label: 'anomaly', color: '#ef4444', kind: 'points' },
        { label: 'forecast', color: '#a855f7', dash: [6, 3] },
      ]}
      data=${[
        col((w) => w.m?.min ?? null),
        col((w) => w.m?.max ?? null),
        col((w) => w.m?.mean ?? null),
        col((w) => w.m?.p50 ?? null),
        col((w) => w.m?.p99 ?? null),
        col((w) => (w.live ? (w.m?.mean ?? null) : null)),
        starts.map((s) => anomalies.get(s) ?? null),
        starts.map((s) => forecastAt.get(s)?.value ?? null),
      ]}
      empty="No windows in the last two hours."
    />
    <${Chart}
      title="Events per window"
      height=${160}
      zero=${true}
      step=${stepOf(starts)}
      x=${x}
      yLabel="events"
      series=${[{ label: 'events', color: '#6366f1', kind: 'bars' }]}
      data=${[col((w) => w.events || null)]}
    />
    ${
      d?.analysis
        ? html`<p class="muted">
            Overlay from the latest completed analysis: ${d.analysis.anomalies?.length ?? 0}
            anomalies${d.analysis.trend ? `, trend ${fmtNumber(d.analysis.trend.slopePerHour, 2)} ${measure}/hour` : ''}${forecast.length ? `, forecast of ${forecast.length} windows` : ''}.
          </p>`
        : html`<p class="muted">
            No completed analysis covers this stream: start one under Analyses to overlay anomalies and a forecast.
          </p>`
    }
  </section>`;
}
