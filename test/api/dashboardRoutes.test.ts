import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { HttpRequest } from '@azure/functions';

import { findDashboardDir, serveDashboard } from '../../src/functions/api/dashboard';
import { metricsSeries } from '../../src/functions/api/metricsSeries';
import { summarizeIngestMetrics } from '../../src/functions/api/summarizeIngestMetrics';
import type { IngestMetricsRow } from '../../src/storage/types';
import { repoRoot } from '../support/repoRoot';

const row = (minute: string, partition: string, eventsIn: number, processingMs: number): IngestMetricsRow => ({
  minute,
  partition,
  eventsIn,
  aggregated: eventsIn - 2,
  filtered: 1,
  deadLettered: 1,
  entityOperations: 5,
  processingMs,
  filteredMissing: {},
  breakdown: {
    [`pipeline:p:aggregated`]: eventsIn - 2,
    'pipeline:p:filtered': 1,
    'pipeline:p:deadLettered': 1,
    'reason:late': 1,
  },
  retried: 0,
  poison: 0,
  replayed: 0,
  replayDuplicates: 0,
  duplicatesSuppressed: 0,
  batches: 2,
  latencySketches: [],
  sketchesDropped: 0,
});

describe('GET /api/metrics/series', () => {
  it('gives every minute of the range, zeros where nothing was recorded, each agreeing with GET /api/metrics', () => {
    const from = Date.parse('2024-05-01T10:00:00Z');
    const until = Date.parse('2024-05-01T10:03:30Z');
    const rows = [
      row('2024-05-01T10:00:00.000Z', '0', 120, 100),
      row('2024-05-01T10:00:00.000Z', '1', 60, 50),
      row('2024-05-01T10:03:00.000Z', '0', 30, 10),
    ];
    const points = metricsSeries(rows, from, until);
    expect(points.map((p) => [p.minute, p.events])).toEqual([
      ['2024-05-01T10:00:00.000Z', 180],
      ['2024-05-01T10:01:00.000Z', 0],
      ['2024-05-01T10:02:00.000Z', 0],
      ['2024-05-01T10:03:00.000Z', 30],
    ]);
    const first = summarizeIngestMetrics(rows.slice(0, 2), from, from + 60_000);
    expect(points[0]).toMatchObject({
      eventsPerSec: 3,
      processingRate: first.processingRate,
      aggregated: 176,
      filtered: 2,
      deadLettered: 2,
      entityOperationsPer1000Events: first.entityOperationsPer1000Events,
    });
    // The current minute's rate divides by the 30 s elapsed in it.
    expect(points[3]?.eventsPerSec).toBe(1);
    expect(points[1]).toMatchObject({
      eventsPerSec: 0,
      processingRate: null,
      latencyP50: null,
      byPipeline: {},
      byReason: {},
    });
    // Per pipeline and per reason, summed over the minute's partitions.
    expect(points[0]).toMatchObject({
      byPipeline: { p: { aggregated: 176, filtered: 2, deadLettered: 2 } },
      byReason: { late: 2 },
    });
  });
});

describe('GET /api/dashboard/{*path}', () => {
  const get = (path: string) =>
    serveDashboard(
      new HttpRequest({ method: 'GET', url: `http://localhost/api/dashboard/${path}`, params: path ? { path } : {} }),
    );

  it('serves the built page uncached and hashed assets cached for a year; nothing outside the folder', async () => {
    const dir = findDashboardDir();
    expect(dir).toBe(join(repoRoot, 'dist', 'dashboard'));
    const page = await get('');
    expect(page.status).toBe(200);
    expect(page.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
    const js = readdirSync(join(dir as string, 'assets')).find((f) => f.endsWith('.js')) as string;
    expect(String(page.body)).toContain(`/api/dashboard/assets/${js}`);
    const asset = await get(`assets/${js}`);
    expect(asset.headers).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
    expect((await get('assets/main-MISSING.js')).status).toBe(404);
    // Anything that is not an asset name is the page (client-side routes), never a file elsewhere.
    for (const path of ['../../package.json', 'assets/../../../package.json', 'streams', 'assets/x.map'])
      expect(String((await get(path)).body)).toContain('<div id="app">');
  });
});
