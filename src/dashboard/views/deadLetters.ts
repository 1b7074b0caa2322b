import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

import { api, type DeadLetter, type Page } from '../api';
import { Chart } from '../chart';
import { bucketCounts, fmtTime, stack } from '../format';
import { Status, usePoll } from '../hooks';

const REASONS = ['invalid-json', 'schema', 'expression', 'late', 'future', 'no-pipeline', 'storage'];
const COLORS: Record<string, string> = {
  'invalid-json': '#ef4444',
  schema: '#f59e0b',
  expression: '#a855f7',
  late: '#3b82f6',
  future: '#14b8a6',
  'no-pipeline': '#a3a3a3',
  storage: '#64748b',
};

export function DeadLettersView() {
  const [reason, setReason] = useState('');
  const [pipeline, setPipeline] = useState('');
  const [stream, setStream] = useState('');
  const [hours, setHours] = useState(1);
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const token = tokens[tokens.length - 1];
  const polled = usePoll(() => {
    const q = new URLSearchParams({ since: String(Date.now() - hours * 3_600_000), limit: '500' });
    if (reason) q.set('reason', reason);
    if (token) q.set('continuationToken', token);
    return api<Page<DeadLetter>>(`deadletters?${q}`);
  }, [reason, hours, token]);
  const items = (polled.data?.items ?? []).filter(
    (d) => (!pipeline || d.pipeline === pipeline) && (!stream || (d.stream ?? '').includes(stream)),
  );
  const b = bucketCounts(
    items,
    (d) => Date.parse(d.enqueuedTime),
    (d) => d.reason,
    60_000,
  );
  const stacked = stack(b.counts);
  const reset = () => setTokens([undefined]);
  return html`<section>
    <header class="view-head">
      <h1>Dead letters</h1>
      <${Status} polled=${polled} />
    </header>
    <div class="toolbar">
      <label
        >Reason
        <select
          name="reason"
          value=${reason}
          onChange=${(e: Event) => {
            setReason((e.target as HTMLSelectElement).value);
            reset();
          }}
        >
          <option value="">all</option>
          ${REASONS.map((r) => html`<option>${r}</option>`)}
        </select></label
      >
      <label
        >Pipeline
        <input
          name="pipeline"
          value=${pipeline}
          placeholder="all"
          onInput=${(e: Event) => setPipeline((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >Stream contains
        <input name="stream" value=${stream} onInput=${(e: Event) => setStream((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >Since
        <select
          value=${String(hours)}
          onChange=${(e: Event) => {
            setHours(Number((e.target as HTMLSelectElement).value));
            reset();
          }}
        >
          <option value="1">1 hour</option>
          <option value="6">6 hours</option>
          <option value="24">24 hours</option>
          <option value="168">7 days</option>
        </select></label
      >
    </div>
    <div class="reason-counts">
      ${b.categories.map((c, i) => html`<span class="badge" style=${`background:${COLORS[c] ?? '#888'}`}>${c}: ${(b.counts[i] ?? []).reduce((s, n) => s + n, 0)}</span>`)}
    </div>
    <${Chart}
      title="Dead letters per minute, by reason (this page)"
      height=${180}
      zero=${true}
      x=${b.buckets.map((t) => t / 1000)}
      yLabel="per minute"
      series=${[...b.categories].map((c, i) => ({ label: c, color: COLORS[c] ?? '#888', kind: 'bars', legendValues: b.counts[i] ?? [] })).reverse()}
      data=${[...stacked].reverse()}
      empty="No dead letters in this range: every event was aggregated or filtered."
    />
    <table class="deadletters">
      <thead>
        <tr>
          <th>Enqueued</th>
          <th>Reason</th>
          <th>Pipeline / stream</th>
          <th>Partition / sequence</th>
          <th>Detail</th>
          <th>Raw body</th>
        </tr>
      </thead>
      <tbody>
        ${
          items.length === 0 && polled.data
            ? html`<tr>
                <td colspan="6" class="empty">No dead letters match.</td>
              </tr>`
            : null
        }
        ${items
          .slice(-200)
          .reverse()
          .map(
            (d) =>
              html`<tr>
                <td>${fmtTime(d.enqueuedTime)}</td>
                <td><span class="badge" style=${`background:${COLORS[d.reason] ?? '#888'}`}>${d.reason}</span></td>
                <td>
                  ${d.pipeline ?? '–'}${d.stream ? html` / <a href=${`#/stream/${encodeURIComponent(d.pipeline ?? 'default')}/${encodeURIComponent(d.stream)}`}>${d.stream}</a>` : ''}
                </td>
                <td>${d.partition} / ${d.sequenceNumber}</td>
                <td class="detail">${d.detail}</td>
                <td>
                  <details>
                    <summary><code>${d.raw.length > 40 ? `${d.raw.slice(0, 40)}…` : d.raw || '(empty)'}</code></summary>
                    <pre>${d.raw}</pre>
                  </details>
                </td>
              </tr>`,
          )}
      </tbody>
    </table>
    <div class="pager">
      <button disabled=${tokens.length <= 1} onClick=${() => setTokens(tokens.slice(0, -1))}>← Previous</button>
      <span>Page ${tokens.length}</span>
      <button
        disabled=${!polled.data?.continuationToken}
        onClick=${() => setTokens([...tokens, polled.data?.continuationToken])}
      >
        Next →
      </button>
    </div>
  </section>`;
}
