import { html } from 'htm/preact';

import { api, type CatalogEntry, type DeadLetter, type MetricsPoint, type Page, type StoredPipeline } from '../api';
import { fmtNumber } from '../format';
import { Status, usePoll } from '../hooks';

async function loadGraph() {
  const since = Date.now() - 3_600_000;
  const [pipelines, series, dead, streams] = await Promise.all([
    api<{ items: StoredPipeline[] }>('pipelines'),
    api<{ points: MetricsPoint[] }>('metrics/series?minutes=60'),
    api<Page<DeadLetter>>(`deadletters?since=${since}&limit=1000`),
    api<Page<CatalogEntry>>('streams?limit=1000'),
  ]);
  return { pipelines: pipelines.items, points: series.points, dead: dead.items, streams: streams.items };
}

const DEFAULT = {
  name: 'default',
  definition: { key: 'stream', time: 'time', measures: { value: 'value' }, window: { type: 'tumbling', size: 'PT1M' } },
  updatedAt: '',
};

function Node({ title, body, counts }: { title: string; body: string; counts?: string }) {
  return html`<div class="node">
    <div class="node-title">${title}</div>
    <div class="node-body"><code>${body}</code></div>
    ${counts ? html`<div class="node-counts">${counts}</div>` : null}
  </div>`;
}

export function GraphView() {
  const polled = usePoll(loadGraph, []);
  const d = polled.data;
  const list = d ? (d.pipelines.length ? d.pipelines : [DEFAULT]) : [];
  const totals = (d?.points ?? []).reduce((t, p) => ({ events: t.events + p.events }), { events: 0 });
  // This pipeline's deliveries in the last hour, from the per-minute series.
  const outcomes = (name: string) =>
    (d?.points ?? []).reduce(
      (t, p) => {
        const o = p.byPipeline?.[name];
        return o
          ? {
              aggregated: t.aggregated + o.aggregated,
              filtered: t.filtered + o.filtered,
              deadLettered: t.deadLettered + o.deadLettered,
            }
          : t;
      },
      { aggregated: 0, filtered: 0, deadLettered: 0 },
    );
  return html`<section>
    <header class="view-head">
      <h1>Pipeline graph</h1>
      <${Status} polled=${polled} />
    </header>
    <p class="muted">
      Each pipeline as ingest runs it, with its counts over the last hour (events not taken by <code>match</code> count
      as filtered) and its streams' totals.
    </p>
    ${list.map((p) => {
      const def = p.definition as Record<string, unknown>;
      const dead = (d?.dead ?? []).filter((x) => x.pipeline === p.name);
      const byReason = (reasons: string[]) => dead.filter((x) => reasons.includes(x.reason)).length;
      const reasonText = [...new Set(dead.map((x) => x.reason))]
        .map((r) => `${r} ${dead.filter((x) => x.reason === r).length}`)
        .join(', ');
      const streams = (d?.streams ?? []).filter((s) => s.pipeline === p.name);
      const aggregated = streams.reduce((n, s) => n + s.events, 0);
      const o = outcomes(p.name);
      const w = (def['window'] ?? {}) as Record<string, string>;
      return html`<article class="pipeline-graph" data-pipeline=${p.name}>
        <h2>${p.name}</h2>
        <div class="flow">
          <${Node} title="Event hub" body="events" counts=${`${fmtNumber(totals.events)} in`} />
          <${Node}
            title="match"
            body=${String(def['match'] ?? 'all events')}
            counts=${byReason(['invalid-json']) ? `${byReason(['invalid-json'])} not JSON` : ''}
          />
          <${Node}
            title="filter"
            body=${String(def['filter'] ?? 'none')}
            counts=${`${fmtNumber(o.filtered)} filtered${byReason(['expression']) ? `, ${byReason(['expression'])} expression errors` : ''}`}
          />
          <${Node}
            title="key / time"
            body=${`${String(def['key'] ?? 'stream')} / ${String(def['time'] ?? 'time')}`}
            counts=${`${byReason(['schema'])} schema, ${byReason(['late'])} late, ${byReason(['future'])} future`}
          />
          <${Node}
            title="measures"
            body=${JSON.stringify(def['measures'] ?? { value: 'value' })}
            counts=${`${fmtNumber(o.aggregated)} aggregated, ${fmtNumber(o.deadLettered)} dead-lettered`}
          />
          <${Node}
            title="windows"
            body=${`${w['type'] ?? 'tumbling'} ${w['size'] ?? 'PT1M'}${w['hop'] ? ` every ${w['hop']}` : ''}`}
          />
          <${Node}
            title="stream entities"
            body=${`${fmtNumber(streams.length)} streams`}
            counts=${`${fmtNumber(aggregated)} events in total`}
          />
          <${Node}
            title="Windows table"
            body="closed windows"
            counts=${byReason(['storage']) ? `${byReason(['storage'])} storage failures` : ''}
          />
        </div>
        <p class="muted">Dead letters, last hour: ${reasonText || 'none'}.</p>
      </article>`;
    })}
  </section>`;
}
