import { PARTITIONS, pollApi, prng, type Stack, startStack } from './e2eKit';
import { EXPECTED_SESSIONS, type SessionRow, sessionsInMinutes } from './scriptedSessions';

/**
 * Aggregates and session windows end to end on the local host (dist/, Azurite): count-distinct over 100,000 values
 * sent across 4 partitions in many batches, top-K against exact counts, and a scripted sequence of session events
 * (gaps, a late event bridging two sessions, the maxDuration split) read back from /windows.
 */

const T = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ IDLE_FLUSH_SCHEDULE: '*/1 * * * * *' });
  for (const [name, definition] of Object.entries({
    agg: {
      match: 'kind == "agg"',
      key: 'site',
      aggregates: { users: { kind: 'distinct', expr: 'user' }, pages: { kind: 'topK', expr: 'page', k: 10 } },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT1H',
      idleTimeout: 'PT3S',
    },
    sess: {
      match: 'kind == "sess"',
      key: 'user',
      measures: { clicks: 'clicks' },
      window: { type: 'session', gap: 'PT10M', maxDuration: 'PT1H' },
      lateness: 'PT30M',
      idleTimeout: 'PT3S',
    },
  })) {
    const put = await stack.api(`/api/pipelines/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(definition),
    });
    expect(put.status).toBe(201);
  }
  // Both pipelines reach ingest (PIPELINE_REFRESH_SECONDS=1) before the events that count.
  for (const [pipeline, kind] of [
    ['agg', 'agg'],
    ['sess', 'sess'],
  ] as const) {
    await pollApi(
      stack,
      `/api/streams/${pipeline}/probe`,
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([
          {
            body: JSON.stringify({
              kind,
              site: 'probe',
              user: 'probe',
              page: 'p',
              clicks: 1,
              time: new Date(T - 86_400_000).toISOString(),
            }),
            partition: 0,
          },
        ]);
      },
    );
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

interface AggregateResults {
  users: { kind: string; estimate: number; standardError: number };
  pages: { kind: string; total: number; items: { value: string; count: number; maxError: number; share: number }[] };
}

describe('aggregates on the local host', () => {
  it('counts 100,000 distinct values across 4 partitions within 3 standard errors, and finds every page over 1/k with counts within the bound', async () => {
    const random = prng(1515);
    const N = 100_000;
    const pages = new Map<string, number>();
    const events: { body: string; partition: number }[] = [];
    for (let i = 0; i < N; i++) {
      const r = random();
      // home 30 %, cart 15 %, promo 12 %, the rest over 2,000 pages.
      const page = r < 0.3 ? 'home' : r < 0.45 ? 'cart' : r < 0.57 ? 'promo' : `page-${Math.floor(random() * 2000)}`;
      pages.set(page, (pages.get(page) ?? 0) + 1);
      events.push({
        body: JSON.stringify({
          kind: 'agg',
          site: 's',
          user: `user-${i}`,
          page,
          time: new Date(T + Math.floor((i / N) * 50 * MIN)).toISOString(),
        }),
        partition: i % PARTITIONS,
      });
    }
    for (let i = 0; i < N; i += 10_000) await stack.send(events.slice(i, i + 10_000));

    const check = (results: AggregateResults) => {
      const { estimate, standardError } = results.users;
      expect(standardError).toBeCloseTo(0.008125, 5);
      expect(Math.abs(estimate - N)).toBeLessThanOrEqual(3 * standardError * N);
      expect(results.pages.total).toBe(N);
      for (const [page, truth] of pages) {
        if (truth <= N / 10) continue;
        const item = results.pages.items.find((e) => e.value === page);
        expect({ page, found: item !== undefined }).toEqual({ page, found: true });
        expect(item!.count).toBeGreaterThanOrEqual(truth);
        expect(item!.count - item!.maxError).toBeLessThanOrEqual(truth);
        expect(item!.maxError).toBeLessThanOrEqual(N / 30);
      }
    };
    // The live view (committed and pending) ...
    const view = await pollApi(
      stack,
      '/api/streams/agg/s',
      (r) => {
        const v = r.json as { events: number; aggregateTotals?: AggregateResults };
        return r.status === 200 && v.events === N ? v : undefined;
      },
      120_000,
    );
    check(view.aggregateTotals as AggregateResults);
    // ... and the closed window in the Windows table (closed by the idle flush), read back from its compact row.
    const rows = await pollApi(
      stack,
      '/api/streams/agg/s/windows?limit=10',
      (r) => {
        const items = (
          r.json as { items: { start: number; data: { events: number; aggregates?: AggregateResults } }[] }
        ).items;
        return items.length === 1 ? items : undefined;
      },
      120_000,
    );
    expect(rows[0]?.data.events).toBe(N);
    check(rows[0]?.data.aggregates as AggregateResults);
  }, 600_000);

  it('builds exactly the expected sessions: gaps, a late event bridging two sessions, the maxDuration split', async () => {
    const click = (minute: number) => ({
      body: JSON.stringify({ kind: 'sess', user: 'alice', clicks: 1, time: new Date(T + minute * MIN).toISOString() }),
      partition: 1,
    });
    // One partition, one send (hence at least one batch) after another, so the entity sees them in this order.
    await stack.send([0, 5, 20, 22].map(click)); // sessions [0, 15) and [20, 32)
    await stack.send([click(13)]); // late within lateness: bridges them
    await stack.send([50, 62].map(click)); // 50 ends at the 60-minute boundary; 62 starts a new session
    const rows = await pollApi(
      stack,
      '/api/streams/sess/alice/windows?limit=100',
      (r) => {
        const items = (r.json as { items: SessionRow[] }).items;
        return items.length >= 4 ? items : undefined;
      },
      120_000,
    );
    expect(sessionsInMinutes(rows, T)).toEqual(EXPECTED_SESSIONS);
    const view = await pollApi(stack, '/api/streams/sess/alice', (r) => {
      const v = r.json as { events: number; windows: unknown[] };
      return v.windows.length === 0 ? v : undefined;
    });
    expect(view.events).toBe(7);
  }, 300_000);
});
