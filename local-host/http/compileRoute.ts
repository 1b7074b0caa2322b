import type { RouteParameter, RouteSegment } from './parseRouteTemplate';
import { satisfiesConstraint } from './routeConstraint';

export interface CompiledRoute {
  /** Matches a URL path (leading '/'); group i is parameter i. */
  regex: RegExp;
  parameters: RouteParameter[];
  /** Sort key: lower is more specific (literal < constrained < parameter < optional < catch-all). */
  precedence: number[];
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Builds the path matcher for a route prefix (e.g. 'api', or '') and a parsed template. */
export function compileRoute(prefix: string, segments: RouteSegment[]): CompiledRoute {
  const parameters: RouteParameter[] = [];
  const precedence: number[] = [];
  const cleanPrefix = prefix.replace(/^\/+|\/+$/g, '');
  let source = cleanPrefix ? `/${cleanPrefix.split('/').map(escapeRegex).join('/')}` : '';
  for (const segment of segments) {
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    if (only?.kind === 'parameter' && (only.parameter.optional || only.parameter.catchAll)) {
      parameters.push(only.parameter);
      source += only.parameter.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      precedence.push(only.parameter.catchAll ? 5 : 4);
      continue;
    }
    source += '/';
    let rank = 1;
    for (const part of segment.parts) {
      if (part.kind === 'literal') {
        source += escapeRegex(part.text);
      } else {
        parameters.push(part.parameter);
        source += '([^/]+?)';
        rank = Math.max(rank, part.parameter.constraints.length > 0 ? 2 : 3);
      }
    }
    precedence.push(rank);
  }
  return { regex: new RegExp(`^${source}/?$`, 'i'), parameters, precedence };
}

/** Route values when `path` matches and every constraint holds; undefined otherwise. */
export function matchCompiledRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const match = route.regex.exec(path);
  if (!match) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < route.parameters.length; i++) {
    const parameter = route.parameters[i]!;
    const raw = match[i + 1];
    let value: string | undefined;
    if (raw !== undefined && raw !== '') {
      try {
        value = decodeURIComponent(raw);
      } catch {
        return undefined;
      }
    } else {
      value = parameter.defaultValue;
    }
    if (value === undefined) continue;
    for (let c = 0; c < parameter.constraints.length; c++) {
      if (!satisfiesConstraint(parameter.constraints[c]!, value, parameter.regexes[c])) return undefined;
    }
    values[parameter.name] = value;
  }
  return values;
}
