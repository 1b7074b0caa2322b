import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

import { getKey, setKey } from './api';
import { AnalysesView } from './views/analyses';
import { DeadLettersView } from './views/deadLetters';
import { GraphView } from './views/graph';
import { OverviewView } from './views/overview';
import { PipelinesView } from './views/pipelines';
import { StreamDetailView } from './views/stream';
import { StreamsView } from './views/streams';

const NAV: [string, string][] = [
  ['overview', 'Overview'],
  ['graph', 'Pipeline graph'],
  ['streams', 'Streams'],
  ['pipelines', 'Pipelines'],
  ['try', 'Try it'],
  ['deadletters', 'Dead letters'],
  ['analyses', 'Analyses'],
];

/** The route from the hash: `#/stream/{pipeline}/{stream}`, `#/pipelines/{name}`, ... (each part percent-encoded). */
function route(): string[] {
  const parts = location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  return parts.length ? parts : ['overview'];
}

function KeyBox() {
  const [key, setValue] = useState(getKey());
  const [open, setOpen] = useState(false);
  const save = (e: Event) => {
    e.preventDefault();
    setKey(key.trim());
    setOpen(false);
    location.reload();
  };
  if (!open)
    return html`<button class="key" onClick=${() => setOpen(true)} title="Kept in this tab's session storage">
      ${getKey() ? 'Key set ✓' : 'Enter key'}
    </button>`;
  return html`<form class="keyform" onSubmit=${save}>
    <input
      type="password"
      name="key"
      placeholder="function key or master key"
      value=${key}
      onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)}
    />
    <button type="submit">Use</button><button type="button" onClick=${() => setOpen(false)}>Cancel</button>
  </form>`;
}

function Theme() {
  const [theme, setTheme] = useState(localStorage.getItem('streamfold.theme') ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset['theme'];
    else document.documentElement.dataset['theme'] = theme;
    localStorage.setItem('streamfold.theme', theme);
  }, [theme]);
  return html`<select
    class="theme"
    aria-label="Colour scheme"
    value=${theme}
    onChange=${(e: Event) => setTheme((e.target as HTMLSelectElement).value)}
  >
    <option value="auto">Auto</option>
    <option value="light">Light</option>
    <option value="dark">Dark</option>
  </select>`;
}

export function App() {
  const [parts, setParts] = useState(route());
  useEffect(() => {
    const on = () => setParts(route());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const [view, a, b] = parts;
  const active = view === 'stream' ? 'streams' : view;
  let body;
  switch (view) {
    case 'graph':
      body = html`<${GraphView} />`;
      break;
    case 'streams':
      body = html`<${StreamsView} />`;
      break;
    case 'stream':
      body = a && b ? html`<${StreamDetailView} pipeline=${a} stream=${b} />` : html`<${StreamsView} />`;
      break;
    case 'pipelines':
      body = html`<${PipelinesView} selected=${a} tab="edit" />`;
      break;
    case 'try':
      body = html`<${PipelinesView} selected=${a} tab="try" />`;
      break;
    case 'deadletters':
      body = html`<${DeadLettersView} />`;
      break;
    case 'analyses':
      body = html`<${AnalysesView} selected=${a} />`;
      break;
    default:
      body = html`<${OverviewView} />`;
  }
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/overview">Streamfold</a>
      <nav>
        ${NAV.map(([id, label]) => html`<a class=${active === id ? 'active' : ''} href=${`#/${id}`}>${label}</a>`)}
      </nav>
      <div class="right"><${Theme} /><${KeyBox} /></div>
    </header>
    <main key=${parts.join('/')}>${body}</main>
  </div>`;
}
