import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

import { api, type CatalogEntry, type Page, type StreamView } from '../api';
import { Sparkline } from '../chart';
import { fmtMs, fmtNumber, fmtTime, sortRows } from '../format';
import { Status, usePoll } from '../hooks';

const PAGE = 25;

type Row = CatalogEntry & { view?: StreamView };
type SortKey = 'stream' | 'events' | 'eventsPerSec' | 'lastSeen' | 'lag';

const lagOf = (r: Row): number | null =>
  r.view?.watermark != null && r.view.maxEventTime != null ? r.view.maxEventTime - r.view.watermark : null;
const meansOf = (r: Row): number[] => {
  const windows = [...(r.view?.windows ?? [])].sort((a, b) => a.start - b.start);
  const first = Object.keys(windows[0]?.measures ?? {}).sort()[0];
  return first === undefined
    ? []
    : windows.map((w) => w.measures[first]?.mean).filter((v): v is number => typeof v === 'number');
};

export const streamHref = (pipeline: string, stream: string) =>
  `#/stream/${encodeURIComponent(pipeline)}/${encodeURIComponent(stream)}`;

export function StreamsView() {
  const [prefix, setPrefix] = useState('');
  const [pipeline, setPipeline] = useState('');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'stream', desc: false });
  const token = tokens[tokens.length - 1];
  const polled = usePoll(async () => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (prefix) q.set('prefix', prefix);
    if (pipeline) q.set('pipeline', pipeline);
    if (token) q.set('continuationToken', token);
    const page = await api<Page<CatalogEntry>>(`streams?${q}`);
    // Live state of the page's streams: watermark and recent windows.
    const views = await Promise.all(
      page.items.map((s) =>
        api<StreamView>(
          `stream?pipeline=${encodeURIComponent(s.pipeline)}&stream=${encodeURIComponent(s.stream)}`,
        ).catch(() => undefined),
      ),
    );
    return {
      rows: page.items.map((s, i): Row => ({ ...s, ...(views[i] ? { view: views[i] } : {}) })),
      next: page.continuationToken,
    };
  }, [prefix, pipeline, token]);
  const key = (r: Row) =>
    sort.key === 'lag' ? lagOf(r) : sort.key === 'lastSeen' ? Date.parse(r.lastSeen) : r[sort.key];
  const rows = sortRows(polled.data?.rows ?? [], key, sort.desc);
  const th = (k: SortKey, label: string, num = false) =>
    html`<th class=${num ? 'num' : ''}>
      <button
        class="sort"
        aria-sort=${sort.key === k ? (sort.desc ? 'descending' : 'ascending') : 'none'}
        onClick=${() => setSort({ key: k, desc: sort.key === k ? !sort.desc : k !== 'stream' })}
      >
        ${label}${sort.key === k ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>`;
  return html`<section>
    <header class="view-head">
      <h1>Streams</h1>
      <${Status} polled=${polled} />
    </header>
    <div class="toolbar">
      <label
        >Stream name starts with
        <input
          type="search"
          name="prefix"
          value=${prefix}
          placeholder="s-00"
          onInput=${(e: Event) => {
            setPrefix((e.target as HTMLInputElement).value);
            setTokens([undefined]);
          }}
      /></label>
      <label
        >Pipeline
        <input
          name="pipeline"
          value=${pipeline}
          placeholder="all"
          onInput=${(e: Event) => {
            setPipeline((e.target as HTMLInputElement).value);
            setTokens([undefined]);
          }}
      /></label>
    </div>
    <table class="streams">
      <thead>
        <tr>
          ${th('stream', 'Stream')}
          <th>Pipeline</th>
          ${th('events', 'Events', true)}${th('eventsPerSec', 'Events/s', true)}${th('lastSeen', 'Last event')}${th('lag', 'Watermark lag', true)}
          <th>Recent window means</th>
        </tr>
      </thead>
      <tbody>
        ${
          rows.length === 0 && polled.data
            ? html`<tr>
                <td colspan="7" class="empty">
                  No streams${prefix ? ` starting with "${prefix}"` : ''} yet. Send events to the hub and they appear
                  here within seconds.
                </td>
              </tr>`
            : null
        }
        ${rows.map(
          (r) =>
            html`<tr>
              <td><a href=${streamHref(r.pipeline, r.stream)}>${r.stream}</a></td>
              <td>${r.pipeline}</td>
              <td class="num">${fmtNumber(r.events)}</td>
              <td class="num">${fmtNumber(r.eventsPerSec, 1)}</td>
              <td>${fmtTime(r.lastSeen)}</td>
              <td class="num">${fmtMs(lagOf(r))}</td>
              <td><${Sparkline} values=${meansOf(r)} /></td>
            </tr>`,
        )}
      </tbody>
    </table>
    <div class="pager">
      <button disabled=${tokens.length <= 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Previous</button>
      <span>Page ${tokens.length}</span>
      <button disabled=${!polled.data?.next} onClick=${() => setTokens([...tokens, polled.data?.next])}>Next →</button>
    </div>
  </section>`;
}
