import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from '../support/repoRoot';
import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * The specification's seed examples, typed as a user would, end to end on the local host: keep only the even values
 * (`{"filter": "value % 2 == 0"}` over JSON numbers), and the average of the values (the window's `mean`). Also the
 * CEL cost rules: the quadratic expression is refused at PUT, and an expression that passes compile but would blow
 * the budget on a huge event dead-letters that event (naming the limit) while other streams keep flowing. Events
 * lacking a field a filter reads are filtered (SQL NULL), counted per pipeline in /api/metrics, not dead-lettered.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

interface Summary {
  count: number;
  sum: number;
  mean: number | null;
}

interface StreamJson {
  events: number;
  totals: Record<string, Summary>;
  windows: { start: number; events: number; measures: Record<string, Summary> }[];
}

interface DeadLetterJson {
  raw: string;
  reason: string;
  detail: string;
  pipeline?: string;
}

/**
 * The tutorial's commands, read from the page so that it cannot drift from this test: the pipelines it PUTs (in order)
 * and the events of each envelope POST to the local hub (body text as the hub stores it, partition id).
 */
const tutorial = (() => {
  const page = readFileSync(join(repoRoot, 'docs', 'tutorial', 'first-pipeline.md'), 'utf8');
  const pipelines = [
    ...page.matchAll(/curl -X PUT "\$API\/pipelines\/(\w+)" -H 'content-type: application\/json' \\\n\s+-d '([^']*)'/g),
  ].map((m) => [m[1] as string, JSON.parse(m[2] as string) as unknown] as const);
  const sends = [
    ...page.matchAll(
      /curl -X POST "\$HOST\/runtime\/eventhubs\/events\/events\?envelope=true" -H 'content-type: application\/json' -d '([^']*)'/g,
    ),
  ].map((m) =>
    (JSON.parse(m[1] as string) as { partitionId: string; body: unknown }[]).map((e) => ({
      body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body),
      partition: Number(e.partitionId),
    })),
  );
  return { pipelines, sends };
})();

const put = (name: string, definition: unknown) =>
  stack.api(`/api/pipelines/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });

describe('seed examples and CEL limits on the local host', () => {
  it('refuses the quadratic expression at PUT with a 400 naming the rule', async () => {
    const r = await put('quadratic', { filter: 'size(xs.map(x, xs + [x])) > 0' });
    expect(r.status).toBe(400);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(r.json)).toMatch(/filter: .*concatenation \(\+\) inside a comprehension body is not allowed/);
    expect((await stack.api('/api/pipelines/quadratic')).status).toBe(404);
  }, 60_000);

  it('keeps only the even values, averages the values, and dead-letters only the event that blows the cost budget', async () => {
    expect((await put('even', { filter: 'value % 2 == 0' })).status).toBe(201);
    // Several pipelines share the hub, so each takes its events with a `match` (events of other shapes are filtered).
    expect((await put('avg', { match: 'stream == "n"' })).status).toBe(201);
    expect((await put('lists', { match: 'kind == "lists"', filter: 'xs.all(x, x in xs)' })).status).toBe(201);

    // Until ingest re-reads the pipelines (PIPELINE_REFRESH_SECONDS=1) events go to the default pipeline: probe.
    await pollApi(
      stack,
      '/api/streams/lists/probe',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([
          { body: JSON.stringify({ stream: 'probe', kind: 'lists', value: 2, xs: [1] }), partition: 0 },
        ]);
      },
    );

    const values = [4, 7, 10, 3, 8, 1, 6, 13, 2, 5];
    const huge = { stream: 'attack', kind: 'lists', value: 2, xs: Array.from({ length: 50_000 }, (_, i) => i) };
    await stack.send([
      ...values.map((value, i) => ({ body: JSON.stringify({ stream: 'n', value }), partition: i % 2 })),
      { body: JSON.stringify(huge), partition: 0 },
      { body: JSON.stringify({ stream: 'ok', kind: 'lists', value: 3, xs: [1, 2, 3] }), partition: 0 },
      // An event of another shape: the filter `value % 2 == 0` reads a field it lacks (SQL NULL: filtered, not broken).
      { body: JSON.stringify({ stream: 'room-1', temp: 20 }), partition: 1 },
    ]);

    const even = values.filter((v) => v % 2 === 0);
    const evenView = await pollApi(stack, '/api/streams/even/n', (r) =>
      r.status === 200 && (r.json as StreamJson).events === even.length ? (r.json as StreamJson) : undefined,
    );
    expect(evenView.totals['value']).toMatchObject({ count: even.length, sum: even.reduce((s, v) => s + v, 0) });

    const avgView = await pollApi(stack, '/api/streams/avg/n', (r) =>
      r.status === 200 && (r.json as StreamJson).events === values.length ? (r.json as StreamJson) : undefined,
    );
    const average = values.reduce((s, v) => s + v, 0) / values.length;
    expect(avgView.totals['value']?.mean).toBeCloseTo(average, 12);
    // Without a `time` the enqueued time places the events: one window, unless the send straddled a minute boundary.
    const windowMeans = avgView.windows.map((w) => [w.events, w.measures['value']?.mean]);
    if (avgView.windows.length === 1) expect(windowMeans[0]?.[1]).toBeCloseTo(average, 12);
    expect(avgView.windows.reduce((n, w) => n + w.events, 0)).toBe(values.length);

    // The budget breach: that one event is dead-lettered for `lists`, naming the limit; its batch-mate `ok` flows.
    await pollApi(stack, '/api/streams/lists/ok', (r) =>
      r.status === 200 && (r.json as StreamJson).events === 1 ? true : undefined,
    );
    expect((await stack.api('/api/streams/lists/attack')).status).toBe(404);
    const letters = await pollApi(stack, '/api/deadletters?reason=expression&limit=100', (r) => {
      const items = (r.json as { items: DeadLetterJson[] }).items;
      return items.length > 0 ? items : undefined;
    });
    expect(letters.map((d) => [d.pipeline, d.reason, d.detail.replace(/[0-9]+/g, 'N')])).toEqual([
      [
        'lists',
        'expression',
        'filter "xs.all(x, x in xs)": expression limit: cost budget of N exceeded (operations plus the sizes of the strings, lists and maps they handle) (at position N)',
      ],
    ]);
    expect((JSON.parse(letters[0]!.raw) as { stream: string }).stream).toBe('attack');

    // Nothing else was dead-lettered: the room event was filtered by `even` (and `lists`) for a missing field.
    const metrics = await pollApi(stack, '/api/metrics?minutes=60', (r) => {
      const m = r.json as { deadLettered: number; filteredMissing: Record<string, number> };
      return (m.filteredMissing['even'] ?? 0) >= 1 ? m : undefined;
    });
    expect(metrics.deadLettered).toBe(1);
    expect(metrics.filteredMissing['lists']).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('the tutorial (docs/tutorial/first-pipeline.md): with temps and flights defined as shown, room, CloudEvent, `npm run send` and flight events are not dead-lettered by the other pipeline; a malformed body is, once per pipeline', async () => {
    for (const name of ['even', 'avg', 'lists'])
      expect((await stack.api(`/api/pipelines/${name}`, { method: 'DELETE' })).status).toBe(204);
    // The tutorial's two definitions, verbatim (read from the page, checked against what this test always sent).
    expect(tutorial.pipelines).toEqual([
      [
        'temps',
        {
          match: 'type(value) == double',
          measures: { value: 'value' },
          window: { type: 'tumbling', size: 'PT10S' },
          lateness: 'PT1M',
        },
      ],
      [
        'flights',
        {
          match: 'type(origin) == string',
          key: 'origin',
          time: 'date',
          filter: 'distance > 100',
          measures: { delay: 'delay', distance: 'distance' },
          window: { type: 'tumbling', size: 'PT1H' },
          lateness: 'PT5M',
        },
      ],
    ]);
    for (const [name, definition] of tutorial.pipelines) expect((await put(name, definition)).status).toBe(201);
    await pollApi(
      stack,
      '/api/streams/flights/SEA',
      (r) => (r.status === 200 ? true : undefined),
      60_000,
      async () => {
        await stack.send([
          {
            body: JSON.stringify({
              date: '2001-01-01T00:00:00Z',
              delay: 1,
              distance: 500,
              origin: 'SEA',
              destination: 'SFO',
            }),
            partition: 2,
          },
        ]);
      },
    );
    const before = ((await stack.api('/api/deadletters?limit=1000')).json as { items: DeadLetterJson[] }).items.length;
    expect(tutorial.sends[0]).toEqual([
      { body: JSON.stringify({ stream: 'room-1', time: '2026-01-01T10:00:01Z', value: 21.5 }), partition: 0 },
      { body: JSON.stringify({ stream: 'room-2', time: '2026-01-01T10:00:02Z', value: 19 }), partition: 1 },
      {
        body: JSON.stringify({
          specversion: '1.0',
          id: 'e1',
          source: '/rooms',
          type: 'reading',
          subject: 'room-1',
          time: '2026-01-01T10:00:03Z',
          data: { value: 22 },
        }),
        partition: 0,
      },
      // The shape `npm run send` produces (tools/send/generator.ts).
      { body: JSON.stringify({ stream: 's-001', time: '2026-01-01T10:00:04.000Z', value: 101.25 }), partition: 3 },
      {
        body: JSON.stringify({
          date: '2001-01-01T00:01:00Z',
          delay: 33,
          distance: 2176,
          origin: 'LAS',
          destination: 'PHL',
        }),
        partition: 2,
      },
    ]);
    await stack.send(tutorial.sends[0]!);
    const room = await pollApi(stack, '/api/streams/temps/room-1', (r) =>
      r.status === 200 && (r.json as StreamJson).events === 2 ? (r.json as StreamJson) : undefined,
    );
    expect(room.totals['value']).toMatchObject({ count: 2, sum: 43.5, min: 21.5, max: 22 });
    await pollApi(stack, '/api/streams/temps/s-001', (r) => (r.status === 200 ? true : undefined));
    const las = await pollApi(stack, '/api/streams/flights/LAS', (r) =>
      r.status === 200 && (r.json as StreamJson).totals['delay']?.sum === 33 ? (r.json as StreamJson) : undefined,
    );
    expect(las.totals['distance']?.sum).toBe(2176);
    expect((await stack.api('/api/streams/flights/room-1')).status).toBe(404);
    expect((await stack.api('/api/streams/temps/LAS')).status).toBe(404);
    const after = ((await stack.api('/api/deadletters?limit=1000')).json as { items: DeadLetterJson[] }).items;
    expect(after.slice(before)).toEqual([]);

    // Step 5: the malformed body, dead-lettered `invalid-json` once per active pipeline with its raw text.
    expect(tutorial.sends[1]).toEqual([{ body: '{"stream": ', partition: 1 }]);
    await stack.send(tutorial.sends[1]!);
    const invalid = await pollApi(stack, '/api/deadletters?reason=invalid-json&limit=100', (r) => {
      const items = (r.json as { items: DeadLetterJson[] }).items;
      return items.length >= 2 ? items : undefined;
    });
    expect(invalid.map((d) => [d.pipeline, d.reason, d.raw]).sort()).toEqual([
      ['flights', 'invalid-json', '{"stream": '],
      ['temps', 'invalid-json', '{"stream": '],
    ]);
  }, 180_000);
});
