import { html } from 'htm/preact';

import { api, type CatalogEntry, hubState, type MetricsPoint, type Page, type StreamView } from '../api';
import { Chart } from '../chart';
import { fmtMs, fmtNumber, stack } from '../format';
import { Stat, Status, usePoll } from '../hooks';

const STREAM_SAMPLE = 20;
export const REASON_COLORS: Record<string, string> = {
  'invalid-json': '#ef4444',
  schema: '#f59e0b',
  expression: '#a855f7',
  late: '#3b82f6',
  future: '#14b8a6',
  'no-pipeline': '#a3a3a3',
  storage: '#64748b',
};

/** The charts' data: one fast request (the per-minute metrics) and the local hub's state. */
async function loadSeries() {
  const [series, hub] = await Promise.all([api<{ points: MetricsPoint[] }>('metrics/series?minutes=60'), hubState()]);
  return { points: series.points, hub };
}

/** Late and duplicate counts live in each stream's entity: summed over the first page of streams (slower; polled apart). */
async function loadEntities() {
  const streams = await api<Page<CatalogEntry>>(`streams?limit=${STREAM_SAMPLE}`);
  const views = await Promise.all(
    streams.items.map((s) =>
      api<StreamView>(`stream?pipeline=${encodeURIComponent(s.pipeline)}&stream=${encodeURIComponent(s.stream)}`).catch(
        () => undefined,
      ),
    ),
  );
  const entities = { streams: 0, late: 0, duplicates: 0, revisions: 0, conflicts: 0 };
  for (const v of views) {
    if (!v) continue;
    entities.streams++;
    entities.late += v.metrics.late + v.metrics.lateAtEntity;
    entities.duplicates += v.metrics.duplicates;
    entities.revisions += v.metrics.revisions ?? 0;
    entities.conflicts += v.metrics.conflicts;
  }
  return entities;
}

export function OverviewView() {
  const polled = usePoll(loadSeries, []);
  const entities = usePoll(loadEntities, [], 15_000).data;
  const d = polled.data;
  const points = d?.points ?? [];
  // From the first minute with events, but at least the last 15 minutes, so a fresh app's charts are not a flat hour.
  const first = points.findIndex((p) => p.events > 0);
  const shown = first < 0 ? [] : points.slice(Math.max(0, Math.min(first - 1, points.length - 15)));
  const x = shown.map((p) => Date.parse(p.minute) / 1000);
  // The headline rates: the last whole minute with events (the current one is partial), else the current one.
  const withEvents = shown.filter((p) => p.events > 0);
  const recent = withEvents.length > 1 && withEvents.at(-1) === shown.at(-1) ? withEvents.at(-2) : withEvents.at(-1);
  const maxUnprocessed = Math.max(
    1,
    ...(d?.hub?.partitions ?? []).map((p) => Object.values(p.consumers)[0]?.unprocessed ?? 0),
  );
  const totals = shown.reduce((t, p) => ({ events: t.events + p.events, ops: t.ops + p.entityOperations }), {
    events: 0,
    ops: 0,
  });
  const reasons = [...new Set(shown.flatMap((p) => Object.keys(p.byReason ?? {})))].sort();
  const byReason = reasons.map((r) => shown.map((p) => p.byReason?.[r] ?? 0));
  const [agg, filt, dead] = stack([
    shown.map((p) => p.aggregated),
    shown.map((p) => p.filtered),
    shown.map((p) => p.deadLettered),
  ]);
  const hubPartitions = d?.hub?.partitions ?? [];
  return html`<section>
    <header class="view-head">
      <h1>Overview</h1>
      <${Status} polled=${polled} />
    </header>
    <div class="stats">
      <${Stat}
        label="Events in"
        value=${fmtNumber(recent?.eventsPerSec, 1)}
        unit="events/s"
        hint="Latest minute with events"
      />
      <${Stat}
        label="Processing rate"
        value=${fmtNumber(recent?.processingRate)}
        unit="events/s"
        hint="Events per second of ingest processing time (throughput while busy)"
      />
      <${Stat}
        label="Latency p50"
        value=${fmtMs(recent?.latencyP50)}
        hint="Enqueued to processed, latest whole minute"
      />
      <${Stat}
        label="Latency p99"
        value=${fmtMs(recent?.latencyP99)}
        hint="Enqueued to processed, latest whole minute"
      />
      <${Stat}
        label="Entity ops / 1,000 events"
        value=${fmtNumber(totals.events ? (totals.ops / totals.events) * 1000 : null, 1)}
        hint="Pre-aggregation: entity operations per 1,000 events in, last hour"
      />
      <${Stat}
        label="Duplicates suppressed"
        value=${fmtNumber(entities?.duplicates)}
        hint=${`Summed over the first ${entities?.streams ?? 0} streams`}
      />
      <${Stat}
        label="Revisions"
        value=${fmtNumber(entities?.revisions)}
        hint=${`Closed windows revised by late events within corrections, first ${entities?.streams ?? 0} streams`}
      />
      <${Stat}
        label="Late events"
        value=${fmtNumber(entities?.late)}
        hint=${`Late at ingest and at the entity, first ${entities?.streams ?? 0} streams`}
      />
    </div>
    <div class="grid2">
      <${Chart}
        title="Events per second (per minute)"
        zero=${true}
        x=${x}
        yLabel="events/s"
        series=${[
          { label: 'in', color: '#3b82f6', unit: 'events/s', fill: true },
          { label: 'processing rate', color: '#f59e0b', unit: 'events/s' },
        ]}
        data=${[shown.map((p) => (p.events ? p.eventsPerSec : null)), shown.map((p) => p.processingRate)]}
        empty="No events in the last hour: send some (npm run send, or npm run local -- --demo)."
      />
      <${Chart}
        title="Latency, enqueued to processed"
        zero=${true}
        x=${x}
        yLabel="ms"
        series=${[
          { label: 'p50', color: '#10b981', unit: 'ms' },
          { label: 'p99', color: '#ef4444', unit: 'ms' },
        ]}
        data=${[shown.map((p) => p.latencyP50), shown.map((p) => p.latencyP99)]}
      />
      <${Chart}
        title="Events per minute: aggregated + filtered + dead-lettered"
        x=${x}
        yLabel="events/min"
        zero=${true}
        series=${[
          { label: 'dead-lettered', color: '#ef4444', kind: 'bars', legendValues: shown.map((p) => p.deadLettered) },
          { label: 'filtered', color: '#a3a3a3', kind: 'bars', legendValues: shown.map((p) => p.filtered) },
          { label: 'aggregated', color: '#3b82f6', kind: 'bars', legendValues: shown.map((p) => p.aggregated) },
        ]}
        data=${[dead ?? [], filt ?? [], agg ?? []]}
      />
      <${Chart}
        title="Dead letters per minute, by reason"
        x=${x}
        yLabel="dead letters/min"
        zero=${true}
        series=${reasons.map((r, i) => ({ label: r, color: REASON_COLORS[r] ?? '#64748b', kind: 'bars', legendValues: byReason[i] ?? [] })).reverse()}
        data=${[...stack(byReason)].reverse()}
        empty="No dead letters in this range."
      />
      <${Chart}
        title="Entity operations per 1,000 events"
        zero=${true}
        x=${x}
        yLabel="ops / 1,000 events"
        series=${[{ label: 'entity operations', color: '#8b5cf6', unit: 'per 1,000' }]}
        data=${[shown.map((p) => p.entityOperationsPer1000Events)]}
      />
    </div>
    <h2>Hub lag per partition</h2>
    ${
      d?.hub === undefined
        ? html`<p class="muted">
            Not available here: only the local host's hub reports lag to the app. On Azure, watch the Event Hubs
            namespace's <em>Incoming/Outgoing messages</em> and the consumer lag in Azure Monitor.
          </p>`
        : html`<table class="lag">
            <thead>
              <tr>
                <th>Partition</th>
                <th class="num">Events</th>
                <th class="num">Not yet processed</th>
                <th class="num">After checkpoint</th>
                <th>Not yet processed (relative)</th>
              </tr>
            </thead>
            <tbody>
              ${hubPartitions.map((p) => {
                const c = Object.values(p.consumers)[0];
                return html`<tr>
                  <td>${p.partitionId}</td>
                  <td class="num">${fmtNumber(p.lastSequenceNumber + 1)}</td>
                  <td class="num">${fmtNumber(c?.unprocessed)}</td>
                  <td class="num">${fmtNumber(c?.lag)}</td>
                  <td class="barcell">
                    <div
                      class="bar"
                      style=${`width:${((c?.unprocessed ?? 0) / maxUnprocessed) * 100}%`}
                      title="not yet processed, relative to the busiest partition"
                    ></div>
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
    }
  </section>`;
}
