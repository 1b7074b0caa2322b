import { appError } from '../errors';
import { checkConstraintSyntax, type RouteConstraint } from './routeConstraint';

export interface RouteParameter {
  name: string;
  constraints: RouteConstraint[];
  /** Compiled regex constraints by index in `constraints`. */
  regexes: (RegExp | undefined)[];
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
}

export type RoutePart = { kind: 'literal'; text: string } | { kind: 'parameter'; parameter: RouteParameter };

export interface RouteSegment {
  parts: RoutePart[];
}

/**
 * Parses an ASP.NET-style route template as Functions HTTP triggers use it: literal segments,
 * `{name}`, `{name:constraint(args)...}`, `{name?}`, `{name=default}`, `{*rest}`; `{{`/`}}` escape braces.
 * `where` names the function in errors.
 */
export function parseRouteTemplate(template: string, where: string): RouteSegment[] {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const names = new Set<string>();
  const segments = splitSegments(trimmed, where).map((text) => ({ parts: parseSegment(text, where) }));
  segments.forEach((segment, i) => {
    for (const part of segment.parts) {
      if (part.kind !== 'parameter') continue;
      const { parameter } = part;
      const key = parameter.name.toLowerCase();
      if (names.has(key))
        throw appError(`${where}: route parameter "${parameter.name}" appears more than once in "${template}".`);
      names.add(key);
      if (parameter.catchAll && i !== segments.length - 1) {
        throw appError(`${where}: catch-all parameter "${parameter.name}" must be the last segment of "${template}".`);
      }
      if ((parameter.optional || parameter.catchAll) && segment.parts.length > 1) {
        throw appError(
          `${where}: optional or catch-all parameter "${parameter.name}" must be a whole segment in "${template}".`,
        );
      }
    }
  });
  return segments;
}

/** Splits on '/' outside parameters (a regex constraint may contain '/' or braces inside its parentheses). */
function splitSegments(text: string, where: string): string[] {
  const segments: string[] = [];
  let inParameter = false;
  let parens = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (!inParameter && ch === '{' && text[i + 1] === '{') {
      current += '{{';
      i++;
      continue;
    }
    if (!inParameter && ch === '{') inParameter = true;
    else if (inParameter && ch === '(') parens++;
    else if (inParameter && ch === ')') parens = Math.max(0, parens - 1);
    else if (inParameter && ch === '}' && parens === 0) inParameter = false;
    else if (!inParameter && ch === '/') {
      if (current === '') throw appError(`${where}: route "${text}" has an empty segment.`);
      segments.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (inParameter) throw appError(`${where}: route "${text}" has an unclosed "{".`);
  segments.push(current);
  return segments;
}

function parseSegment(text: string, where: string): RoutePart[] {
  const parts: RoutePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if ((ch === '{' && next === '{') || (ch === '}' && next === '}')) {
      literal += ch;
      i += 2;
    } else if (ch === '{') {
      const end = findParameterEnd(text, i + 1);
      if (end < 0) throw appError(`${where}: route segment "${text}" has an unclosed "{".`);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push({
        kind: 'parameter',
        parameter: parseParameter(
          text
            .slice(i + 1, end)
            .replace(/}}/g, '}')
            .replace(/{{/g, '{'),
          where,
        ),
      });
      i = end + 1;
    } else if (ch === '}') {
      throw appError(`${where}: route segment "${text}" has an unmatched "}".`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  for (let p = 1; p < parts.length; p++) {
    if (parts[p]?.kind === 'parameter' && parts[p - 1]?.kind === 'parameter') {
      throw appError(`${where}: route segment "${text}" has two parameters with no literal between them.`);
    }
  }
  return parts;
}

/** Index of the '}' closing a parameter opened before `from`; braces inside parentheses belong to a regex. */
function findParameterEnd(text: string, from: number): number {
  let parens = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') parens++;
    else if (ch === ')') parens = Math.max(0, parens - 1);
    else if (ch === '}' && parens === 0) return i;
  }
  return -1;
}

function parseParameter(spec: string, where: string): RouteParameter {
  let body = spec;
  const catchAll = body.startsWith('*');
  body = body.replace(/^\*{1,2}/, '');
  let optional = false;
  let defaultValue: string | undefined;
  if (body.endsWith('?')) {
    optional = true;
    body = body.slice(0, -1);
  } else {
    const eq = indexOutsideParens(body, '=');
    if (eq >= 0) {
      defaultValue = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
  }
  const [name = '', ...pieces] = splitConstraints(body);
  if (!/^[A-Za-z_]\w*$/.test(name))
    throw appError(`${where}: route parameter "{${spec}}" has an invalid name "${name}".`);
  const constraints = pieces.map((piece) => parseConstraint(piece, where));
  const regexes = constraints.map((c) => checkConstraintSyntax(c, `${where} route parameter "${name}"`));
  return {
    name,
    constraints,
    regexes,
    optional: optional || defaultValue !== undefined,
    catchAll,
    ...(defaultValue === undefined ? {} : { defaultValue }),
  };
}

function indexOutsideParens(text: string, target: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === target && depth === 0) return i;
  }
  return -1;
}

/** Splits `name:c1:c2(x:y)` on ':' outside parentheses. */
function splitConstraints(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ':' && depth === 0) {
      pieces.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  pieces.push(current);
  return pieces;
}

function parseConstraint(text: string, where: string): RouteConstraint {
  const open = text.indexOf('(');
  if (open < 0) return { name: text.toLowerCase(), args: [] };
  if (!text.endsWith(')')) throw appError(`${where}: route constraint "${text}" is missing its closing ")".`);
  const name = text.slice(0, open).toLowerCase();
  const inner = text.slice(open + 1, -1);
  // A regex may contain commas; other constraints take comma-separated integers.
  const args = name === 'regex' ? [inner] : inner.split(',').map((a) => a.trim());
  return { name, args };
}
