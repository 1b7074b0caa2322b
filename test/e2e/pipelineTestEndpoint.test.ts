import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * POST /api/pipelines/test against ingest itself: the same definition and events go through the endpoint and, stored,
 * through the local Event Hub into the real ingest function and stream entities. Everything ingest exposes must agree
 * with the endpoint's verdicts: each dead letter (reason, detail, stream) by sequence number, the outcome counts in the
 * metrics, and every window's count, sum, min and max per stream. Event times only rise per stream, so no event is late
 * however the hub splits the partition into batches (lateness is judged against earlier batches).
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const PIPELINE = 'trial';
const definition = {
  match: 'kind == "reading"',
  filter: 'value >= 0',
  key: 'device',
  time: 'at',
  measures: { temp: 'value', doubled: 'value * 2.0' },
  window: { type: 'tumbling', size: 'PT1M' },
};

interface Verdict {
  index: number;
  outcome: 'unmatched' | 'filtered' | 'deadLettered' | 'aggregated';
  reason?: string;
  detail?: string;
  stream?: string;
}
interface SummaryJson {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}
interface TestResult {
  verdicts: Verdict[];
  streams: {
    stream: string;
    events: number;
    windows: { start: string; events: number; measures: Record<string, SummaryJson> }[];
  }[];
  counts: { eventsIn: number; aggregated: number; filtered: number; deadLettered: number };
}

it('gives the verdicts ingest gives to the same events sent through the hub', async () => {
  // Ten minutes back, on a minute boundary: in the past, never beyond MAX_FUTURE_SKEW.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const events: unknown[] = [
    { kind: 'reading', device: 'a', at: at(5), value: 20.5 },
    { kind: 'reading', device: 'b', at: at(7), value: 3 },
    { kind: 'other', device: 'a', at: at(8), value: 1 },
    { kind: 'reading', device: 'a', at: at(15), value: 22 },
    { kind: 'reading', device: 'a', at: at(16), value: -4 },
    { kind: 'reading', device: 'a', at: at(17) },
    '{"kind": "reading", "device": ',
    { kind: 'reading', at: at(18), value: 1 },
    { kind: 'reading', device: 'b', at: 'yesterday', value: 2 },
    { kind: 'reading', device: 'a', at: at(19), value: 'hot' },
    { kind: 'reading', device: 'a', at: at(65), value: 30 },
    { kind: 'reading', device: 'b', at: at(70), value: 4 },
  ];

  const tested = await stack.api('/api/pipelines/test', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ definition: { ...definition, name: PIPELINE }, events }),
  });
  expect(tested.status).toBe(200);
  const result = tested.json as TestResult;
  // The mix covers every outcome.
  expect(new Set(result.verdicts.map((v) => v.outcome))).toEqual(
    new Set(['aggregated', 'unmatched', 'filtered', 'deadLettered']),
  );

  const put = await stack.api(`/api/pipelines/${PIPELINE}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  expect(put.status).toBe(201);
  // PIPELINE_REFRESH_SECONDS is 1 in the stack: let ingest see the pipeline before the events arrive.
  await new Promise((r) => setTimeout(r, 1500));
  await stack.send(events.map((e) => ({ body: typeof e === 'string' ? e : JSON.stringify(e), partition: 0 })));

  // Dead letters: the same records, by sequence number (= index: one fresh partition).
  const expectedDead = result.verdicts
    .filter((v) => v.outcome === 'deadLettered')
    .map((v) => ({ sequenceNumber: v.index, reason: v.reason, detail: v.detail, stream: v.stream }));
  const dead = await pollApi(stack, '/api/deadletters?limit=1000', (r) => {
    const items = (
      (
        r.json as {
          items?: { pipeline?: string; sequenceNumber: number; reason: string; detail: string; stream?: string }[];
        }
      ).items ?? []
    ).filter((d) => d.pipeline === PIPELINE);
    return items.length >= expectedDead.length ? items : undefined;
  });
  expect(
    dead
      .map((d) => ({ sequenceNumber: d.sequenceNumber, reason: d.reason, detail: d.detail, stream: d.stream }))
      .sort((x, y) => x.sequenceNumber - y.sequenceNumber),
  ).toEqual(expectedDead);

  // Outcome counts: ingest's metrics (unmatched events count as filtered there, as in the endpoint's counts).
  const metrics = await pollApi(stack, '/api/metrics?minutes=60', (r) => {
    const m = r.json as { events: number; aggregated: number; filtered: number; deadLettered: number };
    return m.events >= events.length ? m : undefined;
  });
  expect({
    events: metrics.events,
    aggregated: metrics.aggregated,
    filtered: metrics.filtered,
    deadLettered: metrics.deadLettered,
  }).toEqual({
    events: result.counts.eventsIn,
    aggregated: result.counts.aggregated,
    filtered: result.counts.filtered,
    deadLettered: result.counts.deadLettered,
  });

  // Windows: live (the entity's view) and closed ones together, per stream.
  for (const s of result.streams) {
    const view = await pollApi(stack, `/api/streams/${PIPELINE}/${s.stream}`, (r) =>
      r.status === 200 && (r.json as { events: number }).events === s.events
        ? (r.json as { windows: { start: number; events: number; measures: Record<string, SummaryJson> }[] })
        : undefined,
    );
    const closed = (
      (await stack.api(`/api/streams/${PIPELINE}/${s.stream}/windows`)).json as {
        items: { start: number; data: { events: number; measures: Record<string, SummaryJson> } }[];
      }
    ).items;
    const windows = new Map<number, { events: number; measures: Record<string, SummaryJson> }>();
    for (const w of closed) windows.set(w.start, { events: w.data.events, measures: w.data.measures });
    for (const w of view.windows) windows.set(w.start, { events: w.events, measures: w.measures });
    const pick = (m: Record<string, SummaryJson>) =>
      Object.fromEntries(
        Object.entries(m).map(([k, v]) => [k, { count: v.count, sum: v.sum, min: v.min, max: v.max }]),
      );
    const ingested = [...windows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, w]) => ({ start: new Date(start).toISOString(), events: w.events, measures: pick(w.measures) }));
    expect(ingested).toEqual(s.windows.map((w) => ({ start: w.start, events: w.events, measures: pick(w.measures) })));
  }
}, 120_000);
