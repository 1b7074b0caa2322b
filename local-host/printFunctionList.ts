import type { HostFunction } from './extension';
import { createRouteTable, routePrefixOf } from './http/createRouteTable';

/** The "Functions:" block `func start` prints: HTTP functions with methods and URL, others with their trigger. */
export function formatFunctionList(
  functions: readonly HostFunction[],
  hostJson: Record<string, unknown>,
  baseUrl: string,
): string {
  const table = createRouteTable(functions, routePrefixOf(hostJson));
  const prefix = routePrefixOf(hostJson);
  const lines = ['', 'Functions:', ''];
  for (const fn of functions) {
    const route = table.routes.find((r) => r.fn === fn);
    if (route) {
      const methods = route.methods.length > 0 ? route.methods.join(',') : 'ALL';
      const path = [prefix, route.template.replace(/^\/+|\/+$/g, '')].filter((p) => p !== '').join('/');
      lines.push(`\t${fn.name}: [${methods}] ${baseUrl}/${path}`);
    } else {
      lines.push(`\t${fn.name}: ${fn.trigger.type}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
