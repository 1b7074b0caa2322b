import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

import { api, ApiError, type StoredPipeline } from '../api';
import { fmtNumber, fmtTime } from '../format';
import { ErrorBox, Status, usePoll } from '../hooks';
import { streamHref } from './streams';

interface Run {
  id: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  progress: unknown;
}
interface Report {
  pipeline: string;
  from: string;
  to: string;
  streamCount: number;
  anomalyCount: number;
  ranking: { stream: string; maxSeverity: number; anomalies: number }[];
  streams: {
    stream: string;
    windows: number;
    trend?: { slopePerHour: number; r2: number | null } | null;
    forecast?: { points: { windowStart: string; value: number; lower: number; upper: number }[] } | null;
    anomalies?: { windowStart: string; kind: string; severity: number; value: number; expected: number }[];
  }[];
}
interface Alert {
  pipeline: string;
  stream: string;
  windowStart: string;
  kind?: string;
  severity?: number;
  value?: number;
}

const localInput = (ms: number) => new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function AnalysesView({ selected }: { selected: string | undefined }) {
  const runs = usePoll(() => api<{ items: Run[] }>('analyses'), []);
  const pipelines = usePoll(() => api<{ items: StoredPipeline[] }>('pipelines'), [], 0);
  const alerts = usePoll(
    () => api<{ items: Alert[] }>(`alerts?since=${Date.now() - 24 * 3_600_000}&limit=50`),
    [],
    15_000,
  );
  const run = usePoll(
    () =>
      selected
        ? api<Run & { report?: Report; error?: unknown }>(`analyses/${encodeURIComponent(selected)}`)
        : Promise.resolve(undefined),
    [selected],
  );
  const [pipeline, setPipeline] = useState('');
  const [from, setFrom] = useState(localInput(Date.now() - 3_600_000));
  const [to, setTo] = useState(localInput(Date.now()));
  const [startError, setStartError] = useState<ApiError | undefined>(undefined);
  const names = (pipelines.data?.items ?? []).map((p) => p.name);
  const start = async (e: Event) => {
    e.preventDefault();
    setStartError(undefined);
    try {
      const r = await api<{ id: string }>('analyses', {
        method: 'POST',
        body: {
          pipeline: pipeline || names[0] || 'default',
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        },
      });
      location.hash = `#/analyses/${encodeURIComponent(r.id)}`;
      runs.reload();
    } catch (err) {
      setStartError(err as ApiError);
    }
  };
  const startAll = async () => {
    setStartError(undefined);
    try {
      const r = await api<{ id: string }>('analyses', { method: 'POST', body: {} });
      location.hash = `#/analyses/${encodeURIComponent(r.id)}`;
      runs.reload();
    } catch (err) {
      setStartError(err as ApiError);
    }
  };
  const report = run.data?.report;
  return html`<section>
    <header class="view-head">
      <h1>Analyses and alerts</h1>
      <${Status} polled=${runs} />
    </header>
    <form class="toolbar" onSubmit=${start}>
      <label
        >Pipeline
        <select
          name="pipeline"
          value=${pipeline || names[0] || 'default'}
          onChange=${(e: Event) => setPipeline((e.target as HTMLSelectElement).value)}
        >
          ${(names.length ? names : ['default']).map((n) => html`<option>${n}</option>`)}
        </select></label
      >
      <label
        >From
        <input
          type="datetime-local"
          name="from"
          value=${from}
          onInput=${(e: Event) => setFrom((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >To
        <input
          type="datetime-local"
          name="to"
          value=${to}
          onInput=${(e: Event) => setTo((e.target as HTMLInputElement).value)}
      /></label>
      <button class="primary" type="submit">Start analysis</button>
      <button type="button" onClick=${startAll} title="POST /api/analyses with an empty body">
        All pipelines, last hour
      </button>
      <small class="muted">Needs the master key on Azure.</small>
    </form>
    <${ErrorBox} error=${startError} />
    <div class="split">
      <nav class="side">
        <h3>Runs</h3>
        <ul>
          ${(runs.data?.items ?? []).slice(0, 20).map((r) => html`<li><a class=${r.id === selected ? 'active' : ''} href=${`#/analyses/${encodeURIComponent(r.id)}`}>${fmtTime(r.createdTime)}</a> <span class=${`badge ${r.runtimeStatus.toLowerCase()}`}>${r.runtimeStatus}</span></li>`)}
          ${runs.data && runs.data.items.length === 0 ? html`<li class="muted">No runs yet.</li>` : null}
        </ul>
      </nav>
      <div class="main">
        ${!selected ? html`<p class="muted">Pick a run, or start one: it analyses the pipeline's closed windows in the range (summary, anomalies, trend, forecast).</p>` : null}
        <${ErrorBox} error=${run.error} />
        ${run.data && !report ? html`<p>Status <b>${run.data.runtimeStatus}</b>; progress: <code>${JSON.stringify(run.data.progress ?? null)}</code></p>` : null}
        ${
          report
            ? html`<p>
                  Pipeline <b>${report.pipeline}</b>, ${fmtTime(report.from)} – ${fmtTime(report.to)}:
                  ${report.streamCount} streams, ${report.anomalyCount} anomalies.
                </p>
                <h3>Ranked streams</h3>
                <table>
                  <thead>
                    <tr>
                      <th>Stream</th>
                      <th class="num">Max severity</th>
                      <th class="num">Anomalies</th>
                      <th class="num">Trend /hour</th>
                      <th>Forecast (next window)</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${
                      report.ranking.length === 0
                        ? html`<tr>
                            <td colspan="5" class="empty">No anomalies found.</td>
                          </tr>`
                        : null
                    }
                    ${report.ranking.map((r) => {
                      const s = report.streams.find((x) => x.stream === r.stream);
                      const f = s?.forecast?.points[0];
                      return html`<tr>
                        <td><a href=${streamHref(report.pipeline, r.stream)}>${r.stream}</a></td>
                        <td class="num">${fmtNumber(r.maxSeverity, 2)}</td>
                        <td class="num">${r.anomalies}</td>
                        <td class="num">${fmtNumber(s?.trend?.slopePerHour, 3)}</td>
                        <td>
                          ${f ? `${fmtNumber(f.value, 2)} (${fmtNumber(f.lower, 2)}–${fmtNumber(f.upper, 2)})` : '–'}
                        </td>
                      </tr>`;
                    })}
                  </tbody>
                </table>`
            : null
        }
      </div>
    </div>
    <h2>Recent alerts</h2>
    <${ErrorBox} error=${alerts.error} />
    <table>
      <thead>
        <tr>
          <th>Window</th>
          <th>Pipeline / stream</th>
          <th>Kind</th>
          <th class="num">Severity</th>
          <th class="num">Value</th>
        </tr>
      </thead>
      <tbody>
        ${
          (alerts.data?.items ?? []).length === 0
            ? html`<tr>
                <td colspan="5" class="empty">No alerts in the last 24 hours.</td>
              </tr>`
            : null
        }
        ${(alerts.data?.items ?? []).map(
          (a) =>
            html`<tr>
              <td>${fmtTime(a.windowStart)}</td>
              <td>${a.pipeline} / <a href=${streamHref(a.pipeline, a.stream)}>${a.stream}</a></td>
              <td>${a.kind ?? '–'}</td>
              <td class="num">${fmtNumber(a.severity, 2)}</td>
              <td class="num">${fmtNumber(a.value, 2)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
