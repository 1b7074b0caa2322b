import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { repoRoot } from '../support/repoRoot';

/**
 * The docs name only what exists: every relative link, every `#anchor` into a Markdown file and every repository path
 * (`src/functions/ingest/ingest.ts`, `dist/local-host/cli.js`, test/e2e/seedExamples.test.ts) resolves to a file or folder of
 * this repository. No doc carries an absolute path of a machine or points outside the repository, and the README stays
 * short. Read as text, so a moved file breaks this test rather than a reader's trust.
 */

/** Backticked words that look like file names but are not (event field paths in examples: `meta.ts`). */
const NOT_FILES = new Set(['meta.ts']);

/** First path segments that name the repository's own folders (and `dist/`, the build of them). */
const TOP = ['src', 'test', 'docs', 'local-host', 'tools', 'bench', 'infra', 'dist', '.ci'];

function markdownUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? markdownUnder(rel) : e.name.endsWith('.md') ? [rel] : [];
  });
}

const DOCS = ['README.md', 'local-host/README.md', 'src/core/README.md', ...markdownUnder('docs')].filter((f) =>
  existsSync(join(repoRoot, f)),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (['node_modules', 'dist', '.git', '.local', 'coverage'].includes(e.name)) return [];
    return e.isDirectory() ? filesUnder(join(dir, e.name)) : [e.name];
  });
}
const BASENAMES = new Set(filesUnder(repoRoot));

const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

/** The text outside fenced code blocks, and the fenced text, kept apart (headings and links live outside). */
function split(text: string): { prose: string; code: string } {
  const prose: string[] = [];
  const code: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    (fenced ? code : prose).push(line);
  }
  return { prose: prose.join('\n'), code: code.join('\n') };
}

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to `-`, repeats numbered. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of split(read(file)).prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (m[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const exists = (abs: string): boolean => existsSync(abs) && (statSync(abs).isFile() || statSync(abs).isDirectory());

/** A repository path as written (maybe extension-less, maybe a build output) resolves to a file or folder. */
function resolvesFrom(base: string, path: string): boolean {
  const p = path.replace(/\/+$/, '');
  const candidates = [p, `${p}.ts`, `${p}/index.ts`];
  if (p === 'dist' || p.startsWith('dist/')) {
    const source = p.replace(/^dist\/?/, '');
    candidates.push(source || '.', source.replace(/\.js$/, '.ts'), source.replace(/\.js$/, '.cjs'));
  }
  return candidates.some((c) => exists(resolve(base, c)));
}

/** Trailing punctuation, anchors and `:line` suffixes are not part of a path. */
const clean = (token: string): string =>
  token
    .replace(/[#?].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/[.,;:)]+$/, '');

/** A token that is a pattern or a placeholder rather than a path. */
const isPattern = (token: string): boolean => /[<>*{}$\s]|\.\.\.|…/.test(token);

interface Finding {
  doc: string;
  found: string;
  problem: string;
}

function findings(doc: string, text: string = read(doc)): Finding[] {
  const { prose, code } = split(text);
  const docDir = dirname(join(repoRoot, doc));
  const out: Finding[] = [];

  // Relative links, with their anchors.
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1] as string;
    // Not a link: a URL with a scheme, or a regular expression in a table cell (`^[a-z](?:...)$`).
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || /^\?:|[[\]^$]/.test(target)) continue;
    const [path = '', anchor] = target.split('#');
    const file = path ? relative(repoRoot, resolve(docDir, path)) : doc;
    if (path && !exists(join(repoRoot, file))) {
      out.push({ doc, found: target, problem: `link to ${file}, which does not exist` });
      continue;
    }
    if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
      out.push({ doc, found: target, problem: `no heading in ${file} has the anchor #${anchor}` });
  }

  // Repository paths anywhere (prose and code): a known first folder, not inside a URL or another path.
  const pathRe = new RegExp(
    `(?<![\\w./$~@:-])((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w./@+-]*)`,
    'g',
  );
  for (const source of [prose, code]) {
    for (const m of source.matchAll(pathRe)) {
      const raw = m[1] as string;
      const token = clean(raw);
      if (isPattern(raw) || token.includes('..')) continue;
      if (!resolvesFrom(repoRoot, token))
        out.push({ doc, found: token, problem: 'names a repository path that does not exist' });
    }
  }

  // Backticked tokens: bare file names must exist somewhere in the repository; paths relative to the doc's folder
  // (e.g. `durable/client/inProcessSignals.ts` in local-host/README.md) must resolve from it.
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) {
    const token = clean(m[1] as string);
    if (isPattern(m[1] as string) || /^\.?\.?\//.test(token)) continue;
    if (!token.includes('/')) {
      if (
        /^[\w.-]+\.(ts|js|cjs|mjs|json|bicep|yaml|md)$/.test(token) &&
        !NOT_FILES.has(token) &&
        !BASENAMES.has(token) &&
        !resolvesFrom(repoRoot, token)
      )
        out.push({ doc, found: token, problem: 'names a file that exists nowhere in the repository' });
      continue;
    }
    const first = token.split('/')[0] as string;
    if (TOP.includes(first)) continue; // checked above
    if (docDir !== repoRoot && exists(join(docDir, first)) && !resolvesFrom(docDir, token))
      out.push({ doc, found: token, problem: `names a path under ${relative(repoRoot, docDir)} that does not exist` });
  }

  // No absolute machine paths, nothing outside the repository.
  for (const m of text.matchAll(
    /(?<![\w.~$}/-])(\/(?:work|tmp|home|root|Users|mnt|opt|private|var\/folders)\/[^\s`'")]*)|([A-Z]:\\[^\s`'")]*)|(file:\/\/\S*)/g,
  )) {
    out.push({ doc, found: m[0], problem: 'is an absolute path of a machine' });
  }
  for (const m of text.matchAll(/\.\.\/shared\b\S*|\bshared\/design\S*/g))
    out.push({ doc, found: m[0], problem: 'points outside the repository' });
  return out;
}

describe('docs name only what exists', () => {
  it('checks the README, the docs folder, local-host/README.md and src/core/README.md', () => {
    expect(DOCS).toEqual(
      expect.arrayContaining([
        'README.md',
        'local-host/README.md',
        'src/core/README.md',
        'docs/README.md',
        'docs/glossary.md',
      ]),
    );
  });

  it.each(DOCS.map((d) => [d]))('%s: every link, anchor and repository path resolves; no machine paths', (doc) => {
    expect(findings(doc)).toEqual([]);
  });

  it('the README stays short (at most 160 lines) and points into docs/', () => {
    const readme = read('README.md');
    expect({ lines: readme.split('\n').length <= 160 }).toEqual({ lines: true });
    expect(readme).toContain('](docs/README.md)');
  });

  it('docs/README.md links every page under docs/', () => {
    const index = read('docs/README.md');
    const linked = new Set(
      [...split(index).prose.matchAll(/\]\(([^)#\s]+)/g)].map((m) =>
        relative(repoRoot, resolve(repoRoot, 'docs', m[1] as string)),
      ),
    );
    const unlinked = markdownUnder('docs').filter((f) => f !== 'docs/README.md' && !linked.has(f));
    expect(unlinked).toEqual([]);
  });
});

describe('the path check itself', () => {
  // Text the test controls, checked as if it were a page in docs/explanation/.
  const probe = (lines: string[]): string[] =>
    findings('docs/explanation/probe.md', lines.join('\n')).map((f) => f.found);

  it('flags a missing file, a missing link target, a bad anchor, a machine path and ../shared', () => {
    const found = probe([
      'See `src/functions/nope.ts` and [x](../how-to/nope-nope.md) and [y](../../README.md#no-such-heading).',
      'Built on ' + '/wo' + 'rk/main and ../' + 'shared/design/x.md.',
      'Also `nowhere-at-all.ts`.',
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        'src/functions/nope.ts',
        '../how-to/nope-nope.md',
        '../../README.md#no-such-heading',
        '/wo' + 'rk/main',
        'nowhere-at-all.ts',
      ]),
    );
    expect(found.some((f) => f.startsWith('../' + 'shared'))).toBe(true);
  });

  it("resolves a path written relative to the page's own folder, and flags one that does not exist there", () => {
    const local = (text: string) => findings('local-host/README.md', text).map((f) => f.found);
    expect(local('Signals skip HTTP (`durable/client/inProcessSignals.ts`).')).toEqual([]);
    expect(local('Signals skip HTTP (`durable/inProcessSignal.ts`).')).toEqual(['durable/inProcessSignal.ts']);
  });

  it('accepts commands, URL paths, content types, build outputs and real files', () => {
    expect(
      probe([
        'Run `npm run local`, then `GET /api/streams/{pipeline}/{stream}` or http://localhost:7071/api/health.',
        'Bodies are `application/json`; the app runs `dist/local-host/cli.js` from `dist/src/`.',
        'The entry is `src/functions/ingest/ingest.ts`, see [the README](../../README.md) and [architecture](architecture.md#the-path-of-one-event).',
      ]),
    ).toEqual([]);
  });
});
