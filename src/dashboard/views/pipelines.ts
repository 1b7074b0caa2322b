import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

import { api, ApiError, type StoredPipeline } from '../api';
import { errorsByField, type FieldError, fmtNumber, fmtTime, parseSamples } from '../format';
import { ErrorBox, Status, usePoll } from '../hooks';

/** The form's fields, as the API names them in its 400 errors. */
const FIELDS = [
  'name',
  'description',
  'match',
  'filter',
  'key',
  'time',
  'measures',
  'window.type',
  'window.size',
  'window.hop',
  'lateness',
  'retention',
  'idleTimeout',
  'sketchAccuracy',
] as const;
type Field = (typeof FIELDS)[number];
const TEXT_FIELDS: Field[] = ['description', 'match', 'filter', 'key', 'time', 'lateness', 'retention', 'idleTimeout'];
const HINTS: Partial<Record<Field, string>> = {
  match: 'CEL boolean: which events this pipeline takes (empty: all)',
  filter: 'CEL boolean: which taken events are aggregated',
  key: 'CEL: the stream key (default: stream)',
  time: 'Field path of the event time (default: time)',
  lateness: 'ISO 8601 duration, e.g. PT30S',
  retention: 'Live windows kept per stream',
  idleTimeout: 'ISO 8601 duration, e.g. PT2M',
};

export const SAMPLE_EVENTS = `{"stream": "s-001", "time": "${new Date(Date.now() - 120_000).toISOString()}", "value": 12.5}
{"stream": "s-001", "time": "${new Date(Date.now() - 90_000).toISOString()}", "value": 14}
{"stream": "s-002", "time": "${new Date(Date.now() - 60_000).toISOString()}", "value": -3}
{"stream": "s-002", "time": "${new Date(Date.now() - 30_000).toISOString()}", "value": "high"}
{"stream": "s-003", "value":
{"time": "${new Date(Date.now() - 10_000).toISOString()}", "value": 1}`;

const NEW_PIPELINE = {
  name: 'my-pipeline',
  key: 'stream',
  time: 'time',
  filter: 'value >= 0',
  measures: { value: 'value' },
  window: { type: 'tumbling', size: 'PT1M' },
};

type Form = Record<Field, string>;

function toForm(d: Record<string, unknown>): Form {
  const w = (d['window'] ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    name: text(d['name']),
    description: text(d['description']),
    match: text(d['match']),
    filter: text(d['filter']),
    key: text(d['key']),
    time: text(d['time']),
    measures: d['measures'] === undefined ? '' : JSON.stringify(d['measures'], null, 2),
    'window.type': text(w['type'] ?? 'tumbling'),
    'window.size': text(w['size']),
    'window.hop': text(w['hop']),
    lateness: text(d['lateness']),
    retention: text(d['retention']),
    idleTimeout: text(d['idleTimeout']),
    sketchAccuracy: text(d['sketchAccuracy']),
  };
}

/** The definition the form describes; empty fields are left out (the API fills defaults). Measures that are not JSON go as text, so the API names the field. */
function fromForm(f: Form): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const k of ['name', 'description', 'match', 'filter', 'key', 'time', 'lateness', 'idleTimeout'] as const)
    if (f[k].trim() !== '') d[k] = f[k].trim();
  if (f.retention.trim() !== '') d['retention'] = Number(f.retention);
  if (f.sketchAccuracy.trim() !== '') d['sketchAccuracy'] = Number(f.sketchAccuracy);
  if (f.measures.trim() !== '') {
    try {
      d['measures'] = JSON.parse(f.measures) as unknown;
    } catch {
      d['measures'] = f.measures;
    }
  }
  if (f['window.size'].trim() !== '')
    d['window'] = {
      type: f['window.type'],
      size: f['window.size'].trim(),
      ...(f['window.hop'].trim() ? { hop: f['window.hop'].trim() } : {}),
    };
  return d;
}

interface Verdict {
  index: number;
  outcome: 'unmatched' | 'filtered' | 'deadLettered' | 'aggregated';
  expression?: string;
  missingField?: boolean;
  reason?: string;
  detail?: string;
  stream?: string;
  windowStarts?: string[];
  values?: Record<string, number>;
}
interface TestResult {
  verdicts: Verdict[];
  streams: {
    stream: string;
    events: number;
    windows: {
      start: string;
      events: number;
      measures: Record<string, { mean: number | null; min: number | null; max: number | null; count: number }>;
    }[];
  }[];
  counts: { eventsIn: number; aggregated: number; filtered: number; deadLettered: number };
}

function describeVerdict(v: Verdict): string {
  switch (v.outcome) {
    case 'aggregated':
      return `stream ${v.stream}, window ${fmtTime(v.windowStarts?.[0] ?? null)}: ${Object.entries(v.values ?? {})
        .map(([k, n]) => `${k} = ${n}`)
        .join(', ')}`;
    case 'unmatched':
      return `not taken by match ${v.expression}${v.missingField ? ' (a field it reads is missing)' : ''}`;
    case 'filtered':
      return `filtered out by ${v.expression}${v.missingField ? ' (a field it reads is missing)' : ''}`;
    default:
      return `${v.reason}: ${v.detail}`;
  }
}

function download(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function PipelinesView({ selected, tab }: { selected: string | undefined; tab: 'edit' | 'try' }) {
  const list = usePoll(() => api<{ items: StoredPipeline[] }>('pipelines'), [], 15_000);
  const stored = list.data?.items.find((p) => p.name === selected);
  const [form, setForm] = useState<Form>(toForm(NEW_PIPELINE));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [samples, setSamples] = useState(SAMPLE_EVENTS);
  const [result, setResult] = useState<TestResult | undefined>(undefined);
  const [runError, setRunError] = useState<ApiError | undefined>(undefined);
  useEffect(() => {
    if (stored) setForm(toForm({ ...stored.definition, name: stored.name }));
    else if (selected === undefined) setForm(toForm(NEW_PIPELINE));
    setErrors([]);
    setMessage(undefined);
    setResult(undefined);
  }, [selected, stored?.updatedAt]);
  const byField = errorsByField(errors, FIELDS);
  const set = (k: Field) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const fieldErrors = (k: string) =>
    (byField.get(k) ?? []).map((m) => html`<div class="field-error" data-field=${k}>${m}</div>`);

  const save = async () => {
    setMessage(undefined);
    const def = fromForm(form);
    const name = form.name.trim();
    try {
      await api(`pipelines/${encodeURIComponent(name)}`, { method: 'PUT', body: def });
      setErrors([]);
      setMessage({
        ok: true,
        text: `Saved ${name}. Ingest picks it up within PIPELINE_REFRESH_SECONDS (10 s by default).`,
      });
      list.reload();
    } catch (e) {
      const err = e as ApiError;
      setErrors(err.errors ?? []);
      setMessage({ ok: false, text: err.message });
    }
  };
  const run = async () => {
    setRunError(undefined);
    setResult(undefined);
    const { events } = parseSamples(samples);
    try {
      const r = await api<TestResult>('pipelines/test', {
        method: 'POST',
        body: { definition: fromForm(form), events },
      });
      setErrors([]);
      setResult(r);
    } catch (e) {
      const err = e as ApiError;
      setErrors(err.errors ?? []);
      setRunError(err);
    }
  };
  const onFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) setSamples(await file.text());
  };
  const parsed = parseSamples(samples);

  return html`<section>
    <header class="view-head">
      <h1>${tab === 'try' ? 'Try a pipeline on sample events' : 'Pipelines'}</h1>
      <${Status} polled=${list} />
    </header>
    <div class="split">
      <nav class="side">
        <ul>
          ${(list.data?.items ?? []).map((p) => html`<li><a class=${p.name === selected ? 'active' : ''} href=${`#/pipelines/${encodeURIComponent(p.name)}`}>${p.name}</a> <small class="muted">${fmtTime(p.updatedAt)}</small></li>`)}
          ${list.data && list.data.items.length === 0 ? html`<li class="muted">None stored: ingest runs the built-in default pipeline (key stream, measure value, 1-minute windows).</li>` : null}
          <li><a class=${selected === undefined ? 'active' : ''} href="#/pipelines">+ New pipeline</a></li>
        </ul>
      </nav>
      <div class="main">
        <div class="tabs">
          <a
            class=${tab === 'edit' ? 'active' : ''}
            href=${`#/pipelines${selected ? `/${encodeURIComponent(selected)}` : ''}`}
            >Definition</a
          ><a
            class=${tab === 'try' ? 'active' : ''}
            href=${`#/try${selected ? `/${encodeURIComponent(selected)}` : ''}`}
            >Try it</a
          >
        </div>
        <form
          class="editor"
          onSubmit=${(e: Event) => {
            e.preventDefault();
            void (tab === 'try' ? run() : save());
          }}
        >
          <label>Name <input name="name" value=${form.name} onInput=${set('name')} />${fieldErrors('name')}</label>
          ${TEXT_FIELDS.map((k) => html`<label>${k} <input name=${k} value=${form[k]} placeholder=${HINTS[k] ?? ''} onInput=${set(k)} />${fieldErrors(k)}</label>`)}
          <label
            >measures <small class="muted">JSON: name → CEL number</small
            ><textarea name="measures" rows="3" onInput=${set('measures')}>${form.measures}</textarea
            >${fieldErrors('measures')}</label
          >
          <fieldset>
            <legend>window</legend>
            <label
              >type
              <select name="window.type" value=${form['window.type']} onChange=${set('window.type')}>
                <option>tumbling</option>
                <option>hopping</option></select
              >${fieldErrors('window.type')}</label
            >
            <label
              >size
              <input
                name="window.size"
                value=${form['window.size']}
                placeholder="PT1M"
                onInput=${set('window.size')}
              />${fieldErrors('window.size')}</label
            >
            <label
              >hop
              <input
                name="window.hop"
                value=${form['window.hop']}
                placeholder="hopping only"
                onInput=${set('window.hop')}
              />${fieldErrors('window.hop')}</label
            >
          </fieldset>
          ${fieldErrors('(definition)')}
          ${
            tab === 'edit'
              ? html`<div class="actions">
                    <button type="submit" class="primary">Save</button>
                    <small class="muted">Saving needs the master key on Azure.</small>
                  </div>
                  ${message ? html`<div class=${message.ok ? 'ok' : 'error'} role=${message.ok ? 'status' : 'alert'}>${message.text}</div>` : null}`
              : null
          }
        </form>
        ${
          tab === 'try'
            ? html`<div class="try">
                <label
                  >Sample events
                  <small class="muted"
                    >JSON array, NDJSON or CSV with a header row; read as ${parsed.format}, ${parsed.events.length}
                    events</small
                  >
                  <textarea
                    name="samples"
                    rows="8"
                    spellcheck="false"
                    onInput=${(e: Event) => setSamples((e.target as HTMLTextAreaElement).value)}
                  >
${samples}</textarea>
                </label>
                <div class="actions">
                  <input type="file" accept=".json,.ndjson,.jsonl,.csv,.txt" onChange=${onFile} />
                  <button class="primary" onClick=${() => void run()}>Run on these events</button>
                  <button
                    disabled=${!result}
                    onClick=${() => download(`${form.name || 'pipeline'}-fixture.json`, { definition: fromForm(form), events: parsed.events, verdicts: result?.verdicts })}
                  >
                    Save as test fixture
                  </button>
                </div>
                <small class="muted"
                  >Runs the pipeline under edit, not saved, exactly as ingest would: one partition, empty state, events
                  in this order. Nothing is stored.</small
                >
                <${ErrorBox} error=${runError} />
                ${
                  result
                    ? html`<p class="counts">
                          ${fmtNumber(result.counts.eventsIn)} events: ${fmtNumber(result.counts.aggregated)}
                          aggregated, ${fmtNumber(result.counts.filtered)} filtered or not taken,
                          ${fmtNumber(result.counts.deadLettered)} dead-lettered.
                        </p>
                        <table class="verdicts">
                          <thead>
                            <tr>
                              <th>#</th>
                              <th>Event</th>
                              <th>Verdict</th>
                              <th>Why / where</th>
                            </tr>
                          </thead>
                          <tbody>
                            ${result.verdicts.map(
                              (v) =>
                                html`<tr class=${`v-${v.outcome}`}>
                                  <td>${v.index + 1}</td>
                                  <td>
                                    <code
                                      >${(() => {
                                        const e = parsed.events[v.index];
                                        const t = typeof e === 'string' ? e : JSON.stringify(e);
                                        return t.length > 70 ? `${t.slice(0, 70)}…` : t;
                                      })()}</code
                                    >
                                  </td>
                                  <td>
                                    <span class=${`badge ${v.outcome}`}
                                      >${v.outcome === 'deadLettered' ? 'dead-lettered' : v.outcome === 'unmatched' ? 'not taken' : v.outcome}</span
                                    >
                                  </td>
                                  <td>${describeVerdict(v)}</td>
                                </tr>`,
                            )}
                          </tbody>
                        </table>
                        <h3>Resulting windows</h3>
                        <table>
                          <thead>
                            <tr>
                              <th>Stream</th>
                              <th>Window start</th>
                              <th class="num">Events</th>
                              <th>Measures (mean, min–max)</th>
                            </tr>
                          </thead>
                          <tbody>
                            ${result.streams.flatMap((s) =>
                              s.windows.map(
                                (w) =>
                                  html`<tr>
                                    <td>${s.stream}</td>
                                    <td>${fmtTime(w.start)}</td>
                                    <td class="num">${w.events}</td>
                                    <td>
                                      ${Object.entries(w.measures)
                                        .map(
                                          ([k, m]) =>
                                            `${k}: ${fmtNumber(m.mean, 2)} (${fmtNumber(m.min, 2)}–${fmtNumber(m.max, 2)})`,
                                        )
                                        .join('; ')}
                                    </td>
                                  </tr>`,
                              ),
                            )}
                            ${
                              result.streams.length === 0
                                ? html`<tr>
                                    <td colspan="4" class="empty">No event was aggregated.</td>
                                  </tr>`
                                : null
                            }
                          </tbody>
                        </table>`
                    : null
                }
              </div>`
            : null
        }
      </div>
    </div>
  </section>`;
}
