import { join } from 'node:path';

import { fetchText, pollUntil } from '../../support/fetchText';
import { repoRoot } from '../../support/repoRoot';
import { type HostProcess, startHostProcess } from '../../support/startHostProcess';

const app = join(repoRoot, 'test', 'fixtures', 'apps', 'durable-basic');

interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  history?: { EventType: string }[];
}

describe('durable functions on the local host (durable-basic fixture, memory store)', () => {
  let host: HostProcess;
  beforeAll(async () => {
    host = await startHostProcess({ app, args: ['--store', 'memory'] });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const api = (path: string): string => `${host.baseUrl}/api/${path}`;

  async function start(
    name: string,
    input: unknown,
    id?: string,
  ): Promise<{ id: string; statusQueryGetUri: string; sendEventPostUri: string }> {
    const res = await fetchText(api(`start/${name}${id ? `/${id}` : ''}`), {
      method: 'POST',
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(202);
    const body = JSON.parse(res.text) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    return body;
  }

  /** Follows statusQueryGetUri until the instance is done. */
  function settled(statusUri: string, done = ['Completed', 'Failed', 'Terminated']): Promise<Status> {
    return pollUntil(async () => {
      const res = await fetchText(statusUri);
      const body = JSON.parse(res.text) as Status;
      if (!done.includes(body.runtimeStatus)) {
        expect(res.status).toBe(202);
        return undefined;
      }
      return body;
    }, 30_000);
  }

  it('chains activities; the status link from createCheckStatusResponse reports output and history', async () => {
    const started = await start('Chaining', ['Tokyo', 'Seattle', 'London']);
    expect(started.statusQueryGetUri.startsWith(host.baseUrl)).toBe(true);
    const status = await settled(started.statusQueryGetUri);
    expect(status).toMatchObject({
      name: 'Chaining',
      runtimeStatus: 'Completed',
      input: ['Tokyo', 'Seattle', 'London'],
    });
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const viaClient = JSON.parse((await fetchText(api(`status/${started.id}?history=true`))).text) as Status;
    expect(viaClient.history?.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(3);
  });

  it('fans out and in, answering inline through waitForCompletionOrCreateCheckStatusResponse', async () => {
    const res = await fetchText(api('run/FanOut'), { method: 'POST', body: '10' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toBe(385);
  });

  it('Task.any loop over pending activities of different durations: each runs once and each result is processed once', async () => {
    const items = [5, 60, 1, 30, 15, 45, 0, 20].map((ms, i) => ({ key: `k${i}`, ms, value: i + 1 }));
    const started = await start('AnyLoop', items);
    const status = await settled(started.statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
    const out = status.output as { processed: string[]; total: number; calls: Record<string, number> };
    expect([...out.processed].sort()).toEqual(items.map((x) => x.key).sort());
    expect(out.total).toBe(10 * items.reduce((sum, x) => sum + x.value, 0));
    expect(out.calls).toEqual(Object.fromEntries(items.map((x) => [x.key, 1])));
    const withHistory = JSON.parse((await fetchText(api(`status/${started.id}?history=true`))).text) as Status;
    expect(withHistory.history?.filter((e) => e.EventType === 'TaskScheduled')).toHaveLength(items.length + 1);
  });

  it('refuses to start an instance id that is still running (409) and keeps the running one', async () => {
    const first = await start('Approval', { timeoutMs: 60_000 }, 'dup-1');
    const again = await fetchText(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/Approval/dup-1`, {
      method: 'POST',
      body: '{"timeoutMs":1}',
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain("'dup-1' already exists");
    const viaClient = await fetchText(api('start/Approval/dup-1'), { method: 'POST', body: '{"timeoutMs":1}' });
    expect(viaClient.status).toBe(500);
    await fetchText(api('manage/dup-1/raise/ApprovalEvent'), { method: 'POST', body: '"eve"' });
    const done = await settled(first.statusQueryGetUri);
    expect(done).toMatchObject({ input: { timeoutMs: 60_000 }, output: { approved: true, by: 'eve' } });
  });

  it('returns 202 with a status link when waitForCompletion times out', async () => {
    const res = await fetchText(api('run/Approval?timeoutMs=300'), {
      method: 'POST',
      body: JSON.stringify({ timeoutMs: 60_000 }),
    });
    expect(res.status).toBe(202);
    const body = JSON.parse(res.text) as { id: string; statusQueryGetUri: string };
    const running = JSON.parse((await fetchText(body.statusQueryGetUri)).text) as Status;
    expect(running).toMatchObject({ runtimeStatus: 'Running', customStatus: 'awaiting approval' });
    await fetchText(api(`manage/${body.id}/terminate`), { method: 'POST' });
    expect((await settled(body.statusQueryGetUri)).runtimeStatus).toBe('Terminated');
  });

  it('retries a flaky activity until it succeeds, and surfaces the last failure when attempts run out', async () => {
    const ok = await start('RetryActivity', { key: 'ok', failures: 2, maxAttempts: 4 });
    const failed = await start('RetryActivity', { key: 'bad', failures: 5, maxAttempts: 3 });
    expect((await settled(ok.statusQueryGetUri)).output).toEqual({ key: 'ok', attempts: 3 });
    const out = (await settled(failed.statusQueryGetUri)).output as { failed: string };
    expect(out.failed).toContain('flaky failure 3 for bad');
  });

  it('human interaction: an approval event beats the timer, and a timer wins without one', async () => {
    const approved = await start('Approval', { timeoutMs: 20_000 });
    await pollUntil(async () => {
      const s = JSON.parse((await fetchText(approved.statusQueryGetUri)).text) as Status;
      return s.runtimeStatus === 'Running' ? s : undefined;
    });
    const raised = await fetchText(api(`manage/${approved.id}/raise/ApprovalEvent`), {
      method: 'POST',
      body: JSON.stringify('ann'),
    });
    expect(raised.status).toBe(202);
    const timedOut = await start('Approval', { timeoutMs: 500 });
    const a = await settled(approved.statusQueryGetUri);
    expect(a).toMatchObject({ output: { approved: true, by: 'ann' }, customStatus: 'approved' });
    const b = await settled(timedOut.statusQueryGetUri);
    expect(b).toMatchObject({ output: { approved: false }, customStatus: 'timed out' });
  });

  it('eternal orchestration continues as new until its last round', async () => {
    const s = await start('Eternal', { round: 0, rounds: 4, total: 0 });
    const done = await settled(s.statusQueryGetUri);
    expect(done.output).toEqual({ round: 4, rounds: 4, total: 1 + 4 + 9 + 16 });
  });

  it('sub-orchestrations with ids and retries; a failing child fails into the parent', async () => {
    const s = await start('Parent', null, 'parent-1');
    const done = await settled(s.statusQueryGetUri);
    const out = done.output as {
      first: { child: string; square: number };
      retried: { square: number };
      failure: string;
    };
    expect(out.first).toEqual({ child: 'parent-1-child-a', square: 9 });
    expect(out.retried.square).toBe(16);
    expect(out.failure).toContain('broken activity: from parent');
    const child = JSON.parse((await fetchText(api('status/parent-1-child-bad'))).text) as Status;
    expect(child.runtimeStatus).toBe('Failed');
    expect(String(child.output)).toContain('broken activity: from parent');
  });

  it('entity counter driven by client signals and by an orchestration (signal + callEntity), then deleted', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await fetchText(api('entity/Counter/c1/add'), { method: 'POST', body: '2' });
      expect(r.status).toBe(202);
    }
    const state = await pollUntil(async () => {
      const s = JSON.parse((await fetchText(api('entity/Counter/c1'))).text) as {
        entityExists: boolean;
        entityState: number;
      };
      return s.entityState === 40 ? s : undefined;
    });
    expect(state.entityExists).toBe(true);
    const caller = await start('CounterCaller', { key: 'c1', adds: 5 });
    expect((await settled(caller.statusQueryGetUri)).output).toBe(45);
    await fetchText(api('entity/Counter/c1/delete'), { method: 'POST' });
    await pollUntil(async () => {
      const s = JSON.parse((await fetchText(api('entity/Counter/c1'))).text) as { entityExists: boolean };
      return s.entityExists ? undefined : s;
    });
  });

  it('suspends and resumes, lists by status with paging, and purges', async () => {
    const s = await start('Approval', { timeoutMs: 60_000 }, 'to-suspend');
    await pollUntil(async () =>
      (JSON.parse((await fetchText(s.statusQueryGetUri)).text) as Status).runtimeStatus === 'Running'
        ? true
        : undefined,
    );
    await fetchText(api('manage/to-suspend/suspend'), { method: 'POST' });
    await settled(s.statusQueryGetUri, ['Suspended']);
    await fetchText(api('manage/to-suspend/raise/ApprovalEvent'), { method: 'POST', body: '"bob"' });
    const listed = JSON.parse((await fetchText(api('instances?status=Suspended'))).text) as { instanceId: string }[];
    expect(listed.map((x) => x.instanceId)).toEqual(['to-suspend']);
    await fetchText(api('manage/to-suspend/resume'), { method: 'POST' });
    expect((await settled(s.statusQueryGetUri)).output).toEqual({ approved: true, by: 'bob' });

    const direct = await fetchText(
      `${host.baseUrl}/runtime/webhooks/durabletask/instances/?top=2&runtimeStatus=Completed`,
    );
    expect(JSON.parse(direct.text)).toHaveLength(2);
    expect(direct.headers.get('x-ms-continuation-token')).toBeTruthy();
    const all = JSON.parse((await fetchText(api('instances'))).text) as unknown[];
    expect(all.length).toBeGreaterThan(5);

    const purged = JSON.parse((await fetchText(api('manage/to-suspend/purge'), { method: 'POST' })).text) as {
      instancesDeleted: number;
    };
    expect(purged.instancesDeleted).toBe(1);
    expect((await fetchText(`${host.baseUrl}/runtime/webhooks/durabletask/instances/to-suspend`)).status).toBe(404);
  });
});
