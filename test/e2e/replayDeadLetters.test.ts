import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { repoRoot } from '../support/repoRoot';
import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * Dead-letter replay on the local host (Azurite tables, the local event hub): 1,000 events whose producer renamed
 * `value` to `val` are dead-lettered `schema` by pipeline `a` while pipeline `b` (which reads `val`) aggregates them.
 * `npm run replay -- --dry-run` predicts each; the replay with a JSON Patch fix aggregates all 1,000 exactly once in `a`
 * and none again in `b`; replaying again sends and adds nothing.
 */

const T = Date.parse('2026-03-01T00:00:00Z');
const N = 1000;
const STREAMS = 10;
const MOVE = [{ op: 'move', from: '/val', path: '/value' }];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

interface View {
  events: number;
  totals: Record<string, { count: number; sum: number }>;
}

async function totals(pipeline: string): Promise<[number, number]> {
  let count = 0;
  let sum = 0;
  for (let s = 0; s < STREAMS; s++) {
    const r = await stack.api(`/api/streams/${pipeline}/s${s}`);
    if (r.status !== 200) continue;
    const v = (r.json as View).totals['v'];
    count += v?.count ?? 0;
    sum += v?.sum ?? 0;
  }
  return [count, sum];
}

async function schemaLetters(): Promise<{ pipeline?: string; replay?: { id: string } }[]> {
  const items: { pipeline?: string; replay?: { id: string } }[] = [];
  let token: string | undefined;
  do {
    const page = (
      await stack.api(
        `/api/deadletters?reason=schema&limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      )
    ).json as { items: typeof items; continuationToken?: string };
    items.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return items;
}

/** The entities apply their signals after ingest returns: poll until the totals are `expected` (or time out with them). */
async function settled(pipeline: string, expected: [number, number]): Promise<[number, number]> {
  let last: [number, number] = [0, 0];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    last = await totals(pipeline);
    if (last[0] === expected[0] && last[1] === expected[1]) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

const post = (body: unknown) =>
  stack.api('/api/deadletters/replay', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('dead-letter replay on the local host', () => {
  it('1,000 dead letters with a renamed field, replayed with a fix, are aggregated exactly once; replaying again adds 0', async () => {
    const window = { type: 'tumbling', size: 'PT1M' };
    for (const [name, measure] of [
      ['a', 'value'],
      ['b', 'val'],
    ] as const) {
      const put = await stack.api(`/api/pipelines/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ measures: { v: measure }, window, lateness: 'P1D' }),
      });
      expect(put.status).toBe(201);
    }
    for (const name of ['a', 'b']) {
      await pollApi(
        stack,
        `/api/streams/${name}/probe`,
        (r) => (r.status === 200 ? true : undefined),
        60_000,
        async () => {
          await stack.send([
            {
              body: JSON.stringify({ stream: 'probe', time: new Date(T).toISOString(), value: 1, val: 1 }),
              partition: 3,
            },
          ]);
        },
      );
    }
    const events = Array.from({ length: N }, (_, i) => ({
      body: JSON.stringify({ stream: `s${i % STREAMS}`, time: new Date(T + i * 1000).toISOString(), val: i + 1 }),
      partition: i % 4,
    }));
    await stack.send(events);
    const expected: [number, number] = [N, (N * (N + 1)) / 2];
    expect(await settled('b', expected)).toEqual(expected);
    const letters = await schemaLetters();
    expect(letters.filter((d) => d.pipeline === 'a')).toHaveLength(N);
    expect(await totals('a')).toEqual([0, 0]);

    const cli = resolve(repoRoot, 'dist', 'tools', 'replay', 'cli.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        cli,
        '--url',
        stack.host.baseUrl,
        '--reason',
        'schema',
        '--pipeline',
        'a',
        '--fix',
        JSON.stringify(MOVE),
        '--dry-run',
        '--json',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const dry = JSON.parse(stdout) as { sent: number; items: { outcome: { outcome: string }[] }[] };
    expect(dry.sent).toBe(0);
    expect(dry.items).toHaveLength(N);
    expect(dry.items.every((i) => i.outcome.length === 1 && i.outcome[0]?.outcome === 'aggregated')).toBe(true);

    const first = await post({ reason: 'schema', pipeline: 'a', fix: MOVE });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ selected: N, sent: N, alreadyApplied: 0 });
    await pollApi(stack, '/api/metrics?minutes=30', (r) =>
      (r.json as { replayed: number }).replayed === N ? true : undefined,
    );
    expect(await settled('a', expected)).toEqual(expected);
    expect(await totals('b')).toEqual(expected);
    expect(
      (await schemaLetters()).filter((d) => d.replay?.id === (first.json as { replayId: string }).replayId),
    ).toHaveLength(N);

    const second = await post({ reason: 'schema', pipeline: 'a', fix: MOVE });
    expect(second.json).toMatchObject({ selected: N, sent: 0, alreadyApplied: N });
    // A probe on every partition after it (the hub now also holds the app's replay messages, so stack.send's count
    // does not apply): once each probe is in, anything the second call had sent would have been processed.
    const before = ((await stack.api('/api/streams/a/probe')).json as View).events;
    const probes = [0, 1, 2, 3].map((p) => ({
      body: JSON.stringify({ stream: 'probe', time: new Date(T).toISOString(), value: 1, val: 1 }),
      partitionId: String(p),
    }));
    const res = await fetch(`${stack.host.baseUrl}/runtime/eventhubs/events/events?envelope=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(probes),
    });
    expect(res.status).toBe(200);
    await pollApi(stack, '/api/streams/a/probe', (r) => ((r.json as View).events === before + 4 ? true : undefined));
    expect(await totals('a')).toEqual(expected);
    expect(await totals('b')).toEqual(expected);
    const metrics = (await stack.api('/api/metrics?minutes=30')).json as { replayed: number; replayDuplicates: number };
    expect([metrics.replayed, metrics.replayDuplicates]).toEqual([N, 0]);
  }, 300_000);
});
