import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fetchText, pollUntil } from '../../support/fetchText';
import { repoRoot } from '../../support/repoRoot';
import { type HostProcess, startHostProcess } from '../../support/startHostProcess';

const app = join(repoRoot, 'test', 'fixtures', 'apps', 'durable-crash');
const orchestrations = 60;
/** Orchestrations that finish before the kill; every later one blocks in its last activity until the gate opens. */
const finishedFirst = 10;
const clientSignals = 300;

/** What Work(n) must return, computed independently of the app. */
function expected(n: number): { n: number; value: number; squares: number; sawNumber: boolean } {
  let value = n;
  for (let add = 1; add <= 3; add++) value = value * 2 + add;
  const squares = [1, 2, 3, 4].reduce((sum, k) => sum + (n + k) * (n + k), 0);
  return { n, value, squares, sawNumber: true };
}

describe('durable crash recovery (sqlite store, SIGKILL mid-flight)', () => {
  let host: HostProcess | undefined;
  afterAll(async () => {
    await host?.stop();
  });

  it('finishes every orchestration with the right output and leaves entity state exact after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'durable-crash-'));
    const gateDir = mkdtempSync(join(tmpdir(), 'durable-crash-gate-'));
    const args = ['--store', 'sqlite', '--data-dir', dataDir];
    const env = { CRASH_GATE_DIR: gateDir, CRASH_GATE_FROM: String(finishedFirst) };
    host = await startHostProcess({ app, args, env });
    const hook = (): string => `${host!.baseUrl}/runtime/webhooks/durabletask`;
    const startWork = (ns: number[]): Promise<void[]> =>
      Promise.all(
        ns.map(async (n) => {
          const r = await fetchText(`${hook()}/orchestrators/Work/work-${n}`, {
            method: 'POST',
            body: JSON.stringify(n),
          });
          expect(r.status).toBe(202);
        }),
      );
    const range = (count: number, from = 0): number[] => Array.from({ length: count }, (_, i) => from + i);

    await Promise.all(
      Array.from({ length: clientSignals }, async (_, i) => {
        const r = await fetchText(`${hook()}/entities/Tally/client-${i % 3}?op=add`, {
          method: 'POST',
          body: JSON.stringify(i),
        });
        expect(r.status).toBe(202);
      }),
    );

    // Ungated ones first and to completion, so blocked activities never hold the slots they need.
    await startWork(range(finishedFirst));
    await pollUntil(
      async () => {
        const list = JSON.parse((await fetchText(`${hook()}/instances/?runtimeStatus=Completed`)).text) as unknown[];
        return list.length === finishedFirst ? true : undefined;
      },
      30_000,
      10,
    );
    await startWork(range(orchestrations - finishedFirst, finishedFirst));
    // Killed only once several gated activities are known to be running: mid-flight work is certain, not hoped for.
    await pollUntil(
      async () => (readdirSync(gateDir).filter((f) => f.startsWith('started-')).length >= 10 ? true : undefined),
      30_000,
      10,
    );
    const completedAtKill = JSON.parse(
      (await fetchText(`${hook()}/instances/?runtimeStatus=Completed`)).text,
    ) as unknown[];
    await host.kill();
    expect(completedAtKill).toHaveLength(finishedFirst);

    writeFileSync(join(gateDir, 'open'), '');
    host = await startHostProcess({ app, args, env });
    for (let n = 0; n < orchestrations; n++) {
      const status = await pollUntil(async () => {
        const s = JSON.parse((await fetchText(`${hook()}/instances/work-${n}`)).text) as {
          runtimeStatus: string;
          output: unknown;
        };
        return ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
      }, 60_000);
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: expected(n) });
    }

    const state = async (key: string): Promise<unknown> => {
      const r = await fetchText(`${hook()}/entities/Tally/${key}`);
      return r.status === 200 ? JSON.parse(r.text) : undefined;
    };
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Orchestration signals are sent with the episode that completes; poll until the last ones land, then check exactness.
    await pollUntil(
      async () => ((await state('orchestrations')) === sum(range(orchestrations)) ? true : undefined),
      30_000,
    );
    for (let j = 0; j < 5; j++) {
      const want = range(orchestrations).filter((n) => n % 5 === j).length;
      await pollUntil(async () => ((await state(`own-${j}`)) === want ? true : undefined), 30_000);
    }
    for (let j = 0; j < 3; j++) {
      expect(await state(`client-${j}`)).toBe(sum(range(clientSignals).filter((i) => i % 3 === j)));
    }
    // Nothing left over and nothing applied twice: wait until the queue is idle, then re-read.
    const idle = await fetchText(`${hook()}/instances/?runtimeStatus=Running,Pending`);
    expect(JSON.parse(idle.text)).toEqual([]);
    expect(await state('orchestrations')).toBe(sum(range(orchestrations)));
  });
});
