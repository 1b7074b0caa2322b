/**
 * Just enough Bicep reading for the infra tests: there is no Bicep compiler here, so the tests read the templates
 * as text. Comments are blanked (same length, so offsets stay valid) and strings are skipped when matching braces.
 */

/** Replaces // and block comments with spaces, leaving string literals (single-quoted, `\'` escapes) intact. */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "'") {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (ch === '/' && next === '/') {
      const nl = text.indexOf('\n', i);
      const end = nl === -1 ? text.length : nl;
      out += ' '.repeat(end - i);
      i = end;
    } else if (ch === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? text.length : close + 2;
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Index just past the string literal that starts at `start` (a quote). Multi-line ''' strings included. */
function stringEnd(text: string, start: number): number {
  if (text.startsWith("'''", start)) {
    const close = text.indexOf("'''", start + 3);
    return close === -1 ? text.length : close + 3;
  }
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === "'") return i + 1;
    else i += 1;
  }
  return text.length;
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/**
 * Index of the first character from `from` on, outside strings, at which `stop(ch, depth)` holds, where depth counts
 * the brackets open since `from` including that character's own; -1 when none does. Comments must be stripped.
 */
function scanCode(text: string, from: number, stop: (ch: string, depth: number) => boolean): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'") {
      i = stringEnd(text, i);
      continue;
    }
    if (ch in OPEN) depth += 1;
    else if (ch === '}' || ch === ']' || ch === ')') depth -= 1;
    if (stop(ch, depth)) return i;
    i += 1;
  }
  return -1;
}

/** Text between the bracket at `open` and its partner (exclusive), skipping strings. Comments must be stripped. */
export function bracketBody(text: string, open: number): string {
  const first = text[open];
  if (first === undefined || !(first in OPEN)) {
    throw new Error(`expected an opening bracket at offset ${open}, found ${JSON.stringify(first)}`);
  }
  const close = scanCode(text, open, (ch, depth) => depth === 0 && (ch === '}' || ch === ']' || ch === ')'));
  if (close < 0) throw new Error(`unbalanced ${first} at offset ${open}`);
  return text.slice(open + 1, close);
}

/** Top-level `key: value` entries of an object body (the text between its braces), values trimmed, in order. */
export function topLevelEntries(body: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  let depth = 0;
  let lineStart = true;
  let current: { key: string; from: number } | undefined;
  const close = (to: number) => {
    if (current) entries.push([current.key, body.slice(current.from, to).trim()]);
    current = undefined;
  };
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch === "'" && !(depth === 0 && lineStart)) {
      i = stringEnd(body, i);
      continue;
    }
    if (depth === 0 && lineStart) {
      if (/\s/.test(ch)) {
        i += 1;
        continue;
      }
      const m = /^(?:'([^']+)'|([A-Za-z_$][\w$]*))\s*:/.exec(body.slice(i));
      if (m) {
        current = { key: (m[1] ?? m[2]) as string, from: i + m[0].length };
        i += m[0].length;
      }
      lineStart = false;
      continue;
    }
    if (ch in OPEN) depth += 1;
    else if (ch === '}' || ch === ']' || ch === ')') depth -= 1;
    else if (depth === 0 && (ch === '\n' || ch === ',')) {
      close(i);
      lineStart = true;
    }
    i += 1;
  }
  close(body.length);
  return entries;
}

/** Keys at the top level of an object body (the text between its braces). */
export function topLevelKeys(body: string): string[] {
  return topLevelEntries(body).map(([key]) => key);
}

/** Value text of `var <name> = <value>`, to the end of its line or of the brackets opened on it; comments stripped. */
export function varValue(text: string, name: string): string {
  const clean = stripComments(text);
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*`, 'm').exec(clean);
  if (!m) throw new Error(`expected a variable named ${name}, found none`);
  const at = m.index + m[0].length;
  const end = scanCode(clean, at, (ch, depth) => ch === '\n' && depth === 0);
  return clean.slice(at, end < 0 ? clean.length : end).trim();
}

/** Body (between the braces) of `resource <symbol> '<type>' ... = {...}`, comments stripped. */
export function resourceBody(text: string, symbol: string): { type: string; body: string } {
  const clean = stripComments(text);
  const m = new RegExp(`^\\s*resource\\s+${symbol}\\s+'([^']+)'[^=\\n]*=\\s*`, 'm').exec(clean);
  if (!m) throw new Error(`expected a resource named ${symbol}, found none`);
  let open = m.index + m[0].length;
  while (clean[open] !== '{' && clean[open] !== '[') open += 1;
  return { type: m[1] as string, body: bracketBody(clean, open) };
}

/** Every `resource` declaration (nested ones included): symbol, type, and whether it is `existing`. */
export function resources(text: string): Array<{ symbol: string; type: string; existing: boolean }> {
  return [...stripComments(text).matchAll(/^\s*resource\s+(\w+)\s+'([^']+)'\s*(existing)?\s*=/gm)].map((m) => ({
    symbol: m[1] as string,
    type: m[2] as string,
    existing: m[3] !== undefined,
  }));
}

/** Body of `var <name> = {...}` or `[...]`, comments stripped. */
export function varBody(text: string, name: string): string {
  const clean = stripComments(text);
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*`, 'm').exec(clean);
  if (!m) throw new Error(`expected a variable named ${name}, found none`);
  const open = m.index + m[0].length;
  return bracketBody(clean, open);
}

export interface ModuleDecl {
  symbol: string;
  path: string;
  /** Text from the `=` to the end of the declaration's outer bracket. */
  declaration: string;
  /** Top-level keys of the params object (for a loop, of the params inside the loop body). */
  params: string[];
  isLoop: boolean;
}

/** Every `module` declaration in a Bicep file. */
export function modules(text: string): ModuleDecl[] {
  const clean = stripComments(text);
  const found: ModuleDecl[] = [];
  const re = /^module\s+(\w+)\s+'([^']+)'\s*=\s*/gm;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const open = m.index + m[0].length;
    let bodyStart = open;
    while (clean[bodyStart] !== '{' && clean[bodyStart] !== '[') bodyStart += 1;
    const body = bracketBody(clean, bodyStart);
    const paramsAt = /\bparams\s*:\s*\{/.exec(body);
    const params = paramsAt ? topLevelKeys(bracketBody(body, paramsAt.index + paramsAt[0].length - 1)) : [];
    found.push({
      symbol: m[1] as string,
      path: m[2] as string,
      declaration: body,
      params,
      isLoop: clean[bodyStart] === '[' && /^\s*for\b/.test(body),
    });
  }
  return found;
}

export interface ParamDecl {
  name: string;
  type: string;
  hasDefault: boolean;
  /** The default's text (one line), if any. */
  defaultText?: string;
  /** Values of an @allowed([...]) decorator, as written (strings keep their quotes). */
  allowed?: string[];
  minValue?: number;
  maxValue?: number;
}

/** Every `param` declaration: name, declared type, default, and the @allowed / @minValue / @maxValue decorators. */
export function params(text: string): ParamDecl[] {
  const clean = stripComments(text);
  const found: ParamDecl[] = [];
  let decorators = '';
  const lines = clean.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (/^@/.test(line)) {
      // A decorator may span lines (@allowed([ ... ])): collect up to its closing parenthesis.
      let text = line;
      while ((text.match(/\(/g) ?? []).length > (text.match(/\)/g) ?? []).length && i + 1 < lines.length)
        text += `\n${lines[(i += 1)] as string}`;
      decorators += `${text}\n`;
      continue;
    }
    const m = /^param\s+(\w+)\s+([\w.?[\]]+)(?:\s*=\s*(.+))?$/.exec(line.trimEnd());
    if (m) {
      const allowed = /@allowed\(\[([^\]]*)\]\)/.exec(decorators)?.[1];
      const min = /@minValue\((-?\d+)\)/.exec(decorators)?.[1];
      const max = /@maxValue\((-?\d+)\)/.exec(decorators)?.[1];
      found.push({
        name: m[1] as string,
        type: m[2] as string,
        hasDefault: m[3] !== undefined || (m[2] as string).endsWith('?'),
        defaultText: m[3]?.trim(),
        allowed: allowed === undefined ? undefined : allowed.split(/\s+/).filter((v) => v !== ''),
        minValue: min === undefined ? undefined : Number(min),
        maxValue: max === undefined ? undefined : Number(max),
      });
    }
    if (line.trim() !== '') decorators = '';
  }
  return found;
}

/** Names of every `output`. */
export function outputs(text: string): string[] {
  return outputDecls(text).map((o) => o.name);
}

/** Every `output`: name, type and value text (one line). */
export function outputDecls(text: string): Array<{ name: string; type: string; value: string }> {
  return [...stripComments(text).matchAll(/^output\s+(\w+)\s+(\w+)\s*=\s*(.*)$/gm)].map((m) => ({
    name: m[1] as string,
    type: m[2] as string,
    value: (m[3] as string).trim(),
  }));
}

/** `symbol.outputs.NAME` references, as [symbol, NAME] pairs. */
export function outputReferences(text: string): Array<[string, string]> {
  return [...stripComments(text).matchAll(/\b(\w+)\.outputs\.(\w+)/g)].map((m) => [m[1] as string, m[2] as string]);
}

/** Property names of `abbrs.*` used in a file. */
export function abbreviationsUsed(text: string): string[] {
  return [...new Set([...stripComments(text).matchAll(/\babbrs\.(\w+)/g)].map((m) => m[1] as string))];
}

/** A published Azure Verified Module reference with an exact semantic version. */
export const PINNED_AVM = /^br\/public:avm\/(res|ptn|utl)\/[a-z0-9-]+(\/[a-z0-9-]+)+:\d+\.\d+\.\d+$/;

/** UPPER_SNAKE_CASE as azd expects of environment values. */
export const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Things that mean a secret would be fetched or embedded: key listing, account keys, SAS connection strings. */
export const SECRET_PATTERNS: ReadonlyArray<RegExp> = [
  /\blist[A-Za-z]*Keys?\s*\(/i,
  /\blistConnectionStrings?\s*\(/i,
  /AccountKey/i,
  /SharedAccessKey/i,
  /\bsas\w*\s*\(/i,
];

/** The patterns from SECRET_PATTERNS that match the text (comments included: a comment is no excuse). */
export function secretFindings(text: string): string[] {
  return SECRET_PATTERNS.filter((p) => p.test(text)).map((p) => p.source);
}
