import { appError } from '../errors';
import type { HostFunction } from '../extension';
import { type CompiledRoute, compileRoute, matchCompiledRoute } from './compileRoute';
import { parseRouteTemplate } from './parseRouteTemplate';

export interface HttpRoute {
  fn: HostFunction;
  /** Template as configured (default: the function name). */
  template: string;
  /** Upper-case methods; empty means every method. */
  methods: string[];
  compiled: CompiledRoute;
}

export type RouteMatch =
  | { kind: 'match'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allowed: string[] }
  | { kind: 'notFound' };

export interface RouteTable {
  routes: readonly HttpRoute[];
  match(method: string, path: string): RouteMatch;
}

/** Reads host.json extensions.http.routePrefix ('api' when unset; '' allowed). */
export function routePrefixOf(hostJson: Record<string, unknown>): string {
  const extensions = hostJson.extensions as { http?: { routePrefix?: unknown } } | undefined;
  const prefix = extensions?.http?.routePrefix;
  if (prefix === undefined) return 'api';
  if (typeof prefix !== 'string')
    throw appError(`host.json extensions.http.routePrefix must be a string, found ${typeof prefix}.`);
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** Routes of all HTTP-triggered functions, most specific first. */
export function createRouteTable(functions: readonly HostFunction[], routePrefix: string): RouteTable {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    if (fn.trigger.type.toLowerCase() !== 'httptrigger') continue;
    const where = `Function "${fn.name}"`;
    const template = typeof fn.trigger.route === 'string' && fn.trigger.route !== '' ? fn.trigger.route : fn.name;
    const rawMethods = fn.trigger.methods;
    if (rawMethods !== undefined && !Array.isArray(rawMethods))
      throw appError(`${where}: "methods" must be an array of HTTP methods.`);
    const methods = (rawMethods ?? []).map((m) => String(m).toUpperCase());
    routes.push({ fn, template, methods, compiled: compileRoute(routePrefix, parseRouteTemplate(template, where)) });
  }
  routes.sort((a, b) => comparePrecedence(a.compiled.precedence, b.compiled.precedence));
  return {
    routes,
    match(method: string, path: string): RouteMatch {
      const allowed = new Set<string>();
      for (const route of routes) {
        const params = matchCompiledRoute(route.compiled, path);
        if (!params) continue;
        if (route.methods.length === 0 || route.methods.includes(method.toUpperCase()))
          return { kind: 'match', route, params };
        route.methods.forEach((m) => allowed.add(m));
      }
      return allowed.size > 0 ? { kind: 'methodNotAllowed', allowed: [...allowed].sort() } : { kind: 'notFound' };
    },
  };
}

function comparePrecedence(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return b.length - a.length;
}
