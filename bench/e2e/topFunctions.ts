import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time share per function of a V8 .cpuprofile (from `node --cpu-prof`), largest first. */
export function topFunctions(file: string, limit = 15): { fn: string; selfPct: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const url = n.callFrame.url.replace(/^.*\/(node_modules\/|dist\/)/, '$1');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, hits]) => ({ fn, selfPct: Math.round((1000 * hits) / Math.max(1, total)) / 10 }));
}

/** Where a profile node's code lives: a package, a folder of ours, a Node subsystem, or the VM itself (GC, idle). */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /dist\/((?:local-host|src)\/[^/]+(?:\/[^/]+)?)\//.exec(url) ?? /dist\/([^/]+)\//.exec(url);
  if (ours) return ours[1]!;
  const internal = /^node:internal\/([^/]+)/.exec(url);
  if (internal) return `node:${internal[1]}`;
  return url.replace(/^.*\//, '');
}

/** Self time share per area (see `areaOf`), largest first. */
export function topAreas(file: string, limit = 15): { area: string; selfPct: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  return [...byArea]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([area, hits]) => ({ area, selfPct: Math.round((1000 * hits) / Math.max(1, total)) / 10 }));
}
