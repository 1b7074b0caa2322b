import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { repoRoot } from '../support/repoRoot';

/**
 * Least privilege, read from the code as text (like the infra tests), so a route added later is checked too: every
 * route that can write (any method but GET/HEAD) needs the host's master key (`authLevel: 'admin'`); reads take a
 * function key; only /api/health is anonymous.
 */
interface Registration {
  file: string;
  name: string;
  methods: string[];
  authLevel: string | undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** The text of the call's argument list from the `(` at `open`, skipping brackets inside string literals. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if (c === '(' || c === '{' || c === '[') {
      depth++;
    } else if ((c === ')' || c === '}' || c === ']') && --depth === 0) {
      return text.slice(open + 1, i);
    }
  }
  throw new Error(`unbalanced app.http( call at offset ${open}`);
}

function registrations(): Registration[] {
  const out: Registration[] = [];
  for (const file of sourceFiles(join(repoRoot, 'src', 'functions'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bapp\.http\(/g)) {
      const args = argumentsAt(text, (m.index as number) + m[0].length - 1);
      const name = /^\s*'([^']+)'/.exec(args)?.[1] ?? '?';
      const methods = [...(/\bmethods\s*:\s*\[([^\]]*)\]/.exec(args)?.[1] ?? '').matchAll(/'([A-Z]+)'/g)].map((x) => x[1] as string);
      out.push({ file: relative(repoRoot, file), name, methods, authLevel: /\bauthLevel\s*:\s*'(\w+)'/.exec(args)?.[1] });
    }
  }
  return out;
}

const all = registrations();

describe('HTTP routes: least privilege', () => {
  it('finds the routes (the reader still understands the code)', () => {
    expect(all.map((r) => r.name)).toEqual(expect.arrayContaining(['putPipeline', 'deletePipeline', 'startAnalysis', 'listStreams', 'health']));
    for (const r of all) expect(r.methods.length).toBeGreaterThan(0);
  });

  it.each(all.map((r) => [r.name, r] as const))('%s declares the auth level its methods need', (_name, r) => {
    const writes = r.methods.some((m) => m !== 'GET' && m !== 'HEAD');
    const expected = writes ? 'admin' : r.name === 'health' ? 'anonymous' : 'function';
    expect(`${r.file} ${r.name} [${r.methods.join(',')}]: authLevel ${r.authLevel}`).toBe(`${r.file} ${r.name} [${r.methods.join(',')}]: authLevel ${expected}`);
  });
});
