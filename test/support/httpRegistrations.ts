import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { repoRoot } from './repoRoot';

/** One `app.http(...)` call found in the source, read as text (so a route added later is found too). */
export interface Registration {
  file: string;
  name: string;
  methods: string[];
  authLevel: string | undefined;
  route: string | undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
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

/** Every app.http registration under src/functions/. */
export function httpRegistrations(): Registration[] {
  const out: Registration[] = [];
  for (const file of sourceFiles(join(repoRoot, 'src', 'functions'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bapp\.http\(/g)) {
      const args = argumentsAt(text, (m.index as number) + m[0].length - 1);
      const name = /^\s*'([^']+)'/.exec(args)?.[1] ?? '?';
      const methods = [...(/\bmethods\s*:\s*\[([^\]]*)\]/.exec(args)?.[1] ?? '').matchAll(/'([A-Z]+)'/g)].map(
        (x) => x[1] as string,
      );
      out.push({
        file: relative(repoRoot, file),
        name,
        methods,
        authLevel: /\bauthLevel\s*:\s*'(\w+)'/.exec(args)?.[1],
        route: /\broute\s*:\s*'([^']*)'/.exec(args)?.[1],
      });
    }
  }
  return out;
}
