/**
 * Storage stopped under the local host: Azurite (persisted to a folder) is stopped while a batch needs Table storage
 * (its dead letter), the ingest invocation fails, the trigger's retry (exponentialBackoff, unlimited) invokes the same
 * batch again without moving past it, Azurite starts again on the same ports and data, and the batch goes through:
 * every stream's count and sum exact, each dead letter once, the metrics invariant events = aggregated + filtered +
 * dead-lettered holding, and the failed attempts visible as `retried`. Needs `npm run build` (runs dist/).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

jest.setTimeout(180_000);

const T = Date.parse('2026-03-01T00:00:00Z');
const STREAMS = ['o-0', 'o-1', 'o-2', 'o-3'];

interface StreamJson {
  totals: Record<string, { count: number; sum: number }>;
  metrics: { conflicts: number; duplicates: number };
}
interface MetricsJson {
  events: number;
  aggregated: number;
  filtered: number;
  deadLettered: number;
  retried: number;
}

let azurite: RunningAzurite | undefined;
let host: HostProcess | undefined;
let location: string | undefined;

afterAll(async () => {
  await host?.kill().catch(() => undefined);
  await azurite?.stop().catch(() => undefined);
  if (location) rmSync(location, { recursive: true, force: true });
}, 60_000);

const body = (stream: string, second: number, value: number) =>
  JSON.stringify({ stream, time: new Date(T + second * 1000).toISOString(), value });

describe('ingest on the local host while Table storage is stopped and started again', () => {
  it('retries the failed batch until storage is back, then counts every event exactly once', async () => {
    location = mkdtempSync(join(tmpdir(), 'e2e-outage-'));
    azurite = await startAzurite({ location, ports: 0 });
    const ports = {
      blob: Number(new URL(azurite.blobUrl).port),
      queue: Number(new URL(azurite.queueUrl).port),
      table: Number(new URL(azurite.tableUrl).port),
    };
    host = await startHostProcess({
      app: repoRoot,
      args: ['--store', 'memory', '--no-azurite'],
      env: { AzureWebJobsStorage: azurite.connectionString, PIPELINE_REFRESH_SECONDS: '1', ANALYSIS_SCHEDULE: '' },
      timeoutMs: 60_000,
    });
    const baseUrl = host.baseUrl;
    const api = async <J>(path: string): Promise<J> => {
      const res = await fetch(`${baseUrl}${path}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: expected 200, found ${res.status} ${text}`);
      return JSON.parse(text) as J;
    };
    const sent = new Map<string, string[]>();
    const post = async (events: { body: string; partition: number }[]) => {
      const res = await fetch(`${baseUrl}/runtime/eventhubs/events/events?envelope=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events.map((e) => ({ body: e.body, partitionId: String(e.partition) }))),
      });
      if (res.status !== 200) throw new Error(`sending events: expected 200, found ${res.status} ${await res.text()}`);
      for (const e of events) sent.set(String(e.partition), [...(sent.get(String(e.partition)) ?? []), e.body]);
    };
    const total = () => [...sent.values()].reduce((n, l) => n + l.length, 0);
    const drained = () =>
      pollUntil(
        async () => {
          const hub = await api<{ events: number; consumers: { lag: number; unprocessed: number }[] }>(
            '/runtime/eventhubs/events',
          );
          return hub.events === total() && hub.consumers.every((c) => c.lag === 0 && c.unprocessed === 0)
            ? true
            : undefined;
        },
        90_000,
        100,
      );

    // Before the outage: a normal batch per partition.
    await post(STREAMS.map((s, i) => ({ body: body(s, i, 1), partition: i })));
    await drained();

    // Storage stops; each partition's next batch has a malformed event whose dead letter needs Table storage.
    await azurite.stop();
    const before = host.output().length;
    const malformed = (p: number) => `{"stream": "o-${p}", "value": `;
    await post([
      ...STREAMS.flatMap((s, i) => [
        { body: body(s, 10 + i, 10), partition: i },
        { body: malformed(i), partition: i },
        { body: body(s, 20 + i, 100), partition: i },
      ]),
      { body: '', partition: 1 },
    ]);
    // The invocation fails (in-process retries spent) and the trigger schedules a retry of the same batch.
    await host.waitForOutput(
      /the batch of \d+ events \(sequences \d+-\d+\) failed and will be retried[\s\S]*Retry 1 in 1000 ms/,
      60_000,
    );
    expect(host.output().slice(before)).not.toMatch(/Moving past the batch/);
    const hub = await api<{ consumers: { unprocessed: number }[] }>('/runtime/eventhubs/events');
    expect(hub.consumers.some((c) => c.unprocessed > 0)).toBe(true);

    // Storage is back on the same ports and data: the retried batches go through.
    azurite = await startAzurite({ location, ports });
    await drained();
    expect(host.output()).not.toMatch(/Moving past the batch/);

    // Every stream exact: 1 + 10 + 100 each, no double count.
    for (const s of STREAMS) {
      const view = await pollUntil(
        async () => {
          const v = await api<StreamJson>(`/api/streams/default/${s}`);
          return v.totals['value']?.count === 3 ? v : undefined;
        },
        30_000,
        100,
      );
      expect({
        s,
        count: view.totals['value']?.count,
        sum: view.totals['value']?.sum,
        conflicts: view.metrics.conflicts,
      }).toEqual({ s, count: 3, sum: 111, conflicts: 0 });
    }
    // Each dead letter once, with its raw body as sent.
    const dead = await api<{
      items: { raw: string; reason: string; partition: string; sequenceNumber: number; detail: string }[];
    }>(`/api/deadletters?since=2000-01-01T00:00:00Z&limit=100`);
    expect(dead.items.map((d) => [d.partition, d.sequenceNumber, d.reason, d.raw]).sort()).toEqual(
      [...STREAMS.map((_, i) => [String(i), 2, 'invalid-json', malformed(i)]), ['1', 4, 'invalid-json', '']].sort(),
    );
    // The metrics add up over every accepted event; the failed attempts show as retried, not in events.
    const metrics = await pollUntil(
      async () => {
        const m = await api<MetricsJson>('/api/metrics?minutes=60');
        // The failed attempts' row may be written after the retry's (another minute's row, still in backoff).
        return m.events === total() && m.retried > 0 ? m : undefined;
      },
      60_000,
      250,
    );
    expect(metrics.aggregated + metrics.filtered + metrics.deadLettered).toBe(metrics.events);
    expect({ aggregated: metrics.aggregated, deadLettered: metrics.deadLettered }).toEqual({
      aggregated: 12,
      deadLettered: 5,
    });
    expect(metrics.retried).toBeGreaterThan(0);
  });
});
