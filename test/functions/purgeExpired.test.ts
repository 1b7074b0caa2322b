import { InvocationContext } from '@azure/functions';

import { type PurgeDeps, purgeExpired } from '../../src/functions/retention/purgeExpired';
import { MemoryAlertStore } from '../../src/storage/memory/MemoryAlertStore';
import { MemoryDeadLetterStore } from '../../src/storage/memory/MemoryDeadLetterStore';
import { MemoryIngestMetricsStore } from '../../src/storage/memory/MemoryIngestMetricsStore';
import { MemoryReportStore } from '../../src/storage/memory/MemoryReportStore';
import { MemoryWindowStore } from '../../src/storage/memory/MemoryWindowStore';
import { MemoryWindowVersionStore } from '../../src/storage/memory/MemoryWindowVersionStore';
import { alert } from '../storage/reportAlertContract';
import { closedWindowRow } from '../support/closedWindowRow';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function context(): { context: InvocationContext; logs: string[] } {
  const logs: string[] = [];
  return {
    context: new InvocationContext({
      functionName: 'purgeExpired',
      invocationId: 'p-1',
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    }),
    logs,
  };
}

/** Memory stores holding one expired and one fresh row (or report) each, written on a clock the test sets. */
async function seeded() {
  let clock = 0;
  const windows = new MemoryWindowStore(() => clock);
  const alerts = new MemoryAlertStore(() => clock);
  const deadLetters = new MemoryDeadLetterStore();
  const ingestMetrics = new MemoryIngestMetricsStore();
  const reports = new MemoryReportStore();
  const dl = (sequenceNumber: number, enqueuedTime: string) => ({
    raw: 'x',
    reason: 'schema',
    detail: 'd',
    partition: '0',
    sequenceNumber,
    enqueuedTime,
    recordedAt: enqueuedTime,
  });
  const metrics = (at: string) => ({
    at,
    partition: '0',
    eventsIn: 1,
    aggregated: 1,
    filtered: 0,
    deadLettered: 0,
    entityOperations: 1,
    processingMs: 1,
  });
  const header = (generatedAt: string) => ({
    pipeline: 'p',
    from: generatedAt,
    to: generatedAt,
    generatedAt,
    analyses: [],
    streamCount: 1,
    anomalyCount: 0,
    ranking: [],
    correlations: [],
  });
  // Expired: written 100 days ago (windows, alerts), enqueued 31 days ago (dead letters), 8 days ago (metrics), 91 days ago (reports).
  clock = NOW - 100 * DAY;
  await windows.upsert('p|old', [closedWindowRow(0, 1, { stream: 'old' })]);
  await alerts.insertNew([alert({ stream: 'old' })]);
  await deadLetters.add([dl(1, iso(NOW - 31 * DAY))]);
  await ingestMetrics.record(metrics(iso(NOW - 8 * DAY)));
  await reports.putStreams('old', [{ stream: 's', windows: 1, maxSeverity: 0 } as never]);
  await reports.putHeader('old', header(iso(NOW - 91 * DAY)));
  // Fresh: within every retention (the window's start is older than 90 days, but it was written yesterday).
  clock = NOW - DAY;
  await windows.upsert('p|new', [closedWindowRow(0, 1, { stream: 'new' })]); // replayed history
  await alerts.insertNew([alert({ stream: 'new' })]);
  await deadLetters.add([dl(2, iso(NOW - 29 * DAY))]);
  await ingestMetrics.record(metrics(iso(NOW - 6 * DAY)));
  await reports.putHeader('new', header(iso(NOW - 89 * DAY)));
  const deps: PurgeDeps = {
    windows,
    alerts,
    deadLetters,
    ingestMetrics,
    reports,
    retention: {
      windowRetentionMs: 90 * DAY,
      deadLetterRetentionMs: 30 * DAY,
      metricsRetentionMs: 7 * DAY,
      reportRetentionMs: 90 * DAY,
    },
    now: () => NOW,
  };
  return { deps, windows, alerts, deadLetters, ingestMetrics, reports };
}

describe('purgeExpired', () => {
  it('deletes what is older than its retention in every store, keeps the rest, and logs the counts', async () => {
    const { deps, windows, alerts, deadLetters, ingestMetrics, reports } = await seeded();
    const { context: ctx, logs } = context();
    expect(await purgeExpired(ctx, deps)).toEqual({
      windows: { deleted: 1, more: false },
      alerts: { deleted: 1, more: false },
      deadLetters: { deleted: 1, more: false },
      ingestMetrics: { deleted: 1, more: false },
      reports: { deleted: 2, more: false },
    });
    expect((await windows.query('p|old')).items).toEqual([]);
    expect((await windows.query('p|new')).items.map((w) => w.data.stream)).toEqual(['new']);
    expect((await alerts.query()).items.map((a) => a.stream)).toEqual(['new']);
    expect((await deadLetters.query()).items.map((d) => d.sequenceNumber)).toEqual([2]);
    expect((await ingestMetrics.recent(0)).map((r) => r.minute)).toEqual([iso(NOW - 6 * DAY)]);
    expect(await reports.get('old')).toBeUndefined();
    expect(await reports.get('new')).toBeDefined();
    expect(logs.join('\n')).toContain(
      'purgeExpired: deleted windows 1, deadLetters 1, ingestMetrics 1, reports 2, alerts 1',
    );
  });

  it('purges window versions as the windows, by write time, when given the store', async () => {
    const { deps } = await seeded();
    let clock = NOW - 100 * DAY;
    const windowVersions = new MemoryWindowVersionStore(() => clock);
    const version = (v: number) => ({ start: 0, version: v, data: closedWindowRow(0, 1).data });
    await windowVersions.put('p|s', [version(1)]);
    clock = NOW;
    await windowVersions.put('p|s', [version(2)]);
    const outcome = await purgeExpired(context().context, { ...deps, windowVersions });
    expect(outcome.windowVersions).toEqual({ deleted: 1, more: false });
    expect((await windowVersions.list('p|s', 0)).items.map((v) => v.version)).toEqual([2]);
  });

  it('stops each store at the per-run limit and says more is left; the next run finishes', async () => {
    const { deps } = await seeded();
    const first = await purgeExpired(context().context, deps, 1);
    expect(first.reports).toEqual({ deleted: 1, more: true });
    const { context: ctx, logs } = context();
    expect((await purgeExpired(ctx, deps, 1)).reports).toEqual({ deleted: 1, more: false });
    expect(logs.join('\n')).toContain('windows 0, deadLetters 0');
  });

  it('purges the other stores when one fails, then fails the run naming the store', async () => {
    const { deps, deadLetters } = await seeded();
    const { context: ctx, logs } = context();
    const failing = { ...deps, windows: { purge: () => Promise.reject(new Error('ECONNREFUSED')) } };
    await expect(purgeExpired(ctx, failing)).rejects.toThrow(
      'purgeExpired: purging windows failed (see the errors logged above); the other stores were purged',
    );
    expect((await deadLetters.query()).items.map((d) => d.sequenceNumber)).toEqual([2]);
    expect(logs.join('\n')).toMatch(/error: purgeExpired: purging windows failed: ECONNREFUSED/);
  });
});
