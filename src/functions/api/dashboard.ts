import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';

/** The folder `npm run build` writes the dashboard into (tools/dashboard/build.ts), inside dist/. */
export const DASHBOARD_DIR = 'dashboard';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * dist/dashboard, found from this file's place (dist/src/functions/... when built, src/functions/... under jest), so
 * moving the function between folders needs no edit here.
 */
export function findDashboardDir(from: string = __dirname): string | undefined {
  for (let dir = from, i = 0; i < 8; i++, dir = dirname(dir)) {
    if (basename(dir) === 'dist' && existsSync(join(dir, DASHBOARD_DIR, 'index.html'))) return join(dir, DASHBOARD_DIR);
    if (existsSync(join(dir, 'dist', DASHBOARD_DIR, 'index.html'))) return join(dir, 'dist', DASHBOARD_DIR);
  }
  return undefined;
}

const cache = new Map<string, { body: string; type: string }>();

/**
 * Serves the dashboard's static files. Assets have content-hashed names (cached for a year, immutable); any other path
 * is the single page (index.html, never cached, so a new build is picked up at once). Anonymous: the files hold no data
 * and no secret; the API calls they make carry the key the user enters.
 */
export async function serveDashboard(request: HttpRequest): Promise<HttpResponseInit> {
  const dir = findDashboardDir();
  if (dir === undefined) {
    return {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'The dashboard is not built: run `npm run build` (it writes dist/dashboard).',
    };
  }
  const path = request.params['path'] ?? '';
  // Only names the build writes: no separators beyond assets/, no dot segments, so no path leaves the folder.
  const asset = /^assets\/[A-Za-z0-9_-]+\.(js|css|svg)$/.test(path) ? path : undefined;
  const file = asset ?? 'index.html';
  let entry = cache.get(file);
  if (entry === undefined) {
    const full = join(dir, file);
    if (!existsSync(full))
      return {
        status: 404,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: `No dashboard file ${JSON.stringify(path)}.`,
      };
    entry = {
      body: readFileSync(full, 'utf8'),
      type: TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
    };
    // index.html is re-read on every request (a rebuild changes it); assets never change under their hashed name.
    if (asset !== undefined) cache.set(file, entry);
  }
  return {
    status: 200,
    headers: {
      'Content-Type': entry.type,
      'Cache-Control': asset !== undefined ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // Scripts and styles from this origin only; API calls go to this origin too.
      'Content-Security-Policy':
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    },
    body: entry.body,
  };
}

app.http('dashboard', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'dashboard/{*path}',
  handler: serveDashboard,
});
