import { pollApi, type Stack, startStack } from './e2eKit';

/**
 * Hostile stream names on the local host (issue 13): every name a producer can send aggregates under exactly its own
 * name and reaches no other entity or durable instance; a name that cannot be a stream key is dead-lettered `schema`.
 * The names go through the real path: local Event Hub -> ingest -> durable entity URLs -> Windows table -> HTTP API.
 */

const DURABLE = '/runtime/webhooks/durabletask';
const AT_LIMIT = 'é'.repeat(128); // 256 UTF-8 bytes

interface StreamJson {
  pipeline: string | null;
  stream: string | null;
  events: number;
  totals: Record<string, { count: number; sum: number }>;
}
interface InstanceJson {
  instanceId: string;
  runtimeStatus: string;
}
interface MetricsJson {
  events: number;
  aggregated: number;
  filtered: number;
  deadLettered: number;
}

/** The names of the issue; `target` is a live instance the second one tries to terminate. */
const hostileNames = (target: string) => [
  's-001?op=reset&',
  `/../../../instances/${target}/terminate?x=&`,
  'a#b',
  'q4%2Fb',
  'q4/b',
  'back\\slash',
  '..',
  'a|b',
  'a name with spaces',
  '😀🚀',
  'שלום-עולם',
  'مرحبا',
  'tab\there',
  'new\nline',
  '%',
  '%zz',
  AT_LIMIT,
];

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const body = (stream: string, value: number) => JSON.stringify({ stream, value });
const pathOf = (name: string) => `/api/streams/default/${encodeURIComponent(name)}`;
const queryOf = (name: string) => `/api/stream?pipeline=default&stream=${encodeURIComponent(name)}`;

async function instances(): Promise<InstanceJson[]> {
  const res = await stack.api(`${DURABLE}/instances`);
  expect(res.status).toBe(200);
  return (res.json as InstanceJson[])
    .map((i) => ({ instanceId: i.instanceId, runtimeStatus: i.runtimeStatus }))
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

/**
 * A live (suspended) orchestration, so a terminate that reached the instance API would show: an analysis (the job as
 * POST /api/analyses stores it) suspended right after it starts; when it finished first (410), another one is started.
 */
async function suspendedInstance(): Promise<string> {
  const job = {
    pipeline: 'default',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-02T00:00:00.000Z',
    analyses: ['summary'],
    streams: Array.from({ length: 200 }, (_, i) => `t-${i}`),
  };
  const answers: number[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = `hostile-target-${attempt}`;
    const started = await stack.api(`${DURABLE}/orchestrators/analyzeStreams/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(job),
    });
    expect(started.status).toBe(202);
    const suspended = await stack.api(`${DURABLE}/instances/${id}/suspend?reason=test`, { method: 'POST' });
    answers.push(suspended.status);
    if (suspended.status === 202) {
      await pollApi(stack, `${DURABLE}/instances/${id}`, (r) =>
        (r.json as InstanceJson).runtimeStatus === 'Suspended' ? true : undefined,
      );
      return id;
    }
  }
  throw new Error(`expected to suspend a running analysis, found the answers ${JSON.stringify(answers)}`);
}

describe('stream keys that cannot escape (local host, Azurite)', () => {
  it('aggregates every hostile name under exactly its own name, leaves s-001 and every durable instance alone, and dead-letters keys no stream can have', async () => {
    await stack.send([
      { body: body('s-001', 1), partition: 0 },
      { body: body('s-001', 2), partition: 0 },
    ]);
    await pollApi(stack, pathOf('s-001'), (r) =>
      r.status === 200 && (r.json as StreamJson).events === 2 ? true : undefined,
    );
    const target = await suspendedInstance();
    const before = await instances();
    expect(before).toContainEqual({ instanceId: target, runtimeStatus: 'Suspended' });
    const HOSTILE = hostileNames(target);

    // Each hostile name once (value 10), then a lone surrogate (a JSON escape that parses to one) and a 257-byte name.
    const loneSurrogate = '{"stream":"\\ud800","value":1}';
    const tooLong = JSON.stringify({ stream: `${AT_LIMIT}x`, value: 1 });
    await stack.send([
      ...HOSTILE.map((name, i) => ({ body: body(name, 10), partition: i % 4 })),
      { body: loneSurrogate, partition: 1 },
      { body: tooLong, partition: 2 },
    ]);

    for (const name of HOSTILE) {
      // A client resolves a ".." segment (even as %2E%2E) before sending: such a name is read through the query form.
      const paths = name === '..' ? [queryOf(name)] : [pathOf(name), queryOf(name)];
      for (const path of paths) {
        const view = await pollApi(stack, path, (r) =>
          r.status === 200 && (r.json as StreamJson).events >= 1 ? (r.json as StreamJson) : undefined,
        );
        expect([path, view.pipeline, view.stream, view.events, view.totals['value']]).toEqual([
          path,
          'default',
          name,
          1,
          expect.objectContaining({ count: 1, sum: 10 }),
        ]);
      }
    }
    // The catalog names each stream exactly as sent (the API shows plain names, never the encoded key).
    const catalog = await pollApi(stack, '/api/streams?pipeline=default&limit=1000', (r) => {
      const names = (r.json as { items: { stream: string; events: number }[] }).items;
      return names.length === HOSTILE.length + 1 ? names : undefined;
    });
    expect(catalog.map((e) => e.stream).sort()).toEqual([...HOSTILE, 's-001'].sort());

    // s-001 was not reset by "s-001?op=reset&" (nor by anything else), and no instance was created, ended or changed.
    const s001 = (await stack.api(pathOf('s-001'))).json as StreamJson;
    expect([s001.stream, s001.events, s001.totals['value']]).toEqual([
      's-001',
      2,
      expect.objectContaining({ count: 2, sum: 3 }),
    ]);
    expect(await instances()).toEqual(before);
    // "q4%2Fb" and "q4/b" are two streams; the path form decodes a segment exactly once.
    expect((await stack.api('/api/streams/default/q4%252Fb')).json).toMatchObject({ stream: 'q4%2Fb', events: 1 });
    expect((await stack.api('/api/streams/default/q4%2Fb')).json).toMatchObject({ stream: 'q4/b', events: 1 });
    expect((await stack.api(`/api/streams/default/q4%252Fb/windows`)).status).toBe(200);
    expect((await stack.api(`/api/stream/windows?pipeline=default&stream=${encodeURIComponent('q4/b')}`)).status).toBe(
      200,
    );

    // Keys no stream can have: dead-lettered `schema`, naming the rule, with their raw body; never counted as aggregated.
    const dead = await pollApi(
      stack,
      `/api/deadletters?reason=schema&since=${new Date(Date.now() - 3_600_000).toISOString()}`,
      (r) => {
        const items = (r.json as { items: { raw: string; detail: string; reason: string }[] }).items;
        return items.length >= 2 ? items : undefined;
      },
    );
    expect(dead.map((d) => [d.raw, d.reason, d.detail]).sort()).toEqual(
      [
        [
          loneSurrogate,
          'schema',
          'key "stream": expected a stream key of well-formed Unicode, found a lone surrogate (it cannot be encoded as UTF-8)',
        ],
        [tooLong, 'schema', 'key "stream": expected a stream key of at most 256 UTF-8 bytes, found 257'],
      ].sort(),
    );
    const total = 2 + HOSTILE.length + 2;
    const metrics = await pollApi(stack, '/api/metrics?minutes=60', (r) =>
      (r.json as MetricsJson).events === total ? (r.json as MetricsJson) : undefined,
    );
    expect([metrics.aggregated, metrics.filtered, metrics.deadLettered]).toEqual([2 + HOSTILE.length, 0, 2]);
    expect(await instances()).toEqual(before);
  }, 180_000);
});
