/**
 * `npm run sim` (dist/tools/sim/cli.js, after `npm run build`): the fixed CI seeds of the deterministic simulator
 * (docs/explanation/simulator.md). Each run loads the built app through the local host's loader in a child process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot } from '../support/repoRoot';

const simCli = join(repoRoot, 'dist', 'tools', 'sim', 'cli.js');

interface Summary {
  ok: boolean;
  steps: number;
  events: number;
  stepsPerSec: number;
  crashes: number;
  invariants: { name: string; held: boolean }[];
  faults: Record<string, number>;
  orchestrations: { checked: number; failures: string[] };
  scheduleIndependence?: { identical: boolean; digests: string[]; difference?: string };
  failures: {
    seed: number;
    step: number;
    invariant: string;
    message: string;
    shrunk?: { events: number; of: number; trace: string[] };
    replay: string;
  }[];
}

/** Runs the CLI; resolves with its exit code and parsed --json output (it exits 1 when an invariant broke). */
function sim(args: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [simCli, ...args, '--json'],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        try {
          resolve({ code, summary: JSON.parse(stdout) as Summary, stderr });
        } catch {
          reject(
            new Error(
              `sim ${args.join(' ')}: expected JSON on stdout, exit ${code}; stdout: ${stdout.slice(0, 2000)} stderr: ${stderr.slice(0, 2000)}`,
            ),
          );
        }
      },
    );
  });
}

describe('npm run sim', () => {
  it('holds every invariant on the CI seeds, under faults, and gives identical results for schedule-only seed changes', async () => {
    const { code, summary, stderr } = await sim([
      '--seed',
      '1',
      '--seeds',
      '3',
      '--steps',
      '200',
      '--compare-schedules',
      '2',
    ]);
    expect({ code, failures: summary.failures, stderr }).toEqual({ code: 0, failures: [], stderr: '' });
    expect(summary.ok).toBe(true);
    expect(summary.invariants.filter((i) => !i.held)).toEqual([]);
    expect(summary.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        'totals-equal-truth',
        'counted-once',
        'one-content-per-window',
        'watermark-monotone',
        'state-bounded',
        'orchestrator-deterministic',
      ]),
    );
    // The seeds exercise the faults the invariants are about, not a quiet run.
    for (const kind of [
      'redelivery',
      'table-transient',
      'table-timeout',
      'late-event',
      'skewed-event',
      'invalid-event',
      'concurrent-partitions',
      'slow-entity',
    ]) {
      expect({ kind, injected: (summary.faults[kind] ?? 0) > 0 }).toEqual({ kind, injected: true });
    }
    expect(summary.crashes).toBeGreaterThan(0);
    // The analysis orchestrations each seed runs replay deterministically (the project's orchestrators pass the check).
    expect(summary.orchestrations).toEqual({ checked: 3, failures: [] });
    expect(summary.scheduleIndependence?.identical).toBe(true);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.stepsPerSec).toBeGreaterThan(0);
  });

  it('finds the planted bug (a pending partial committed twice) within the CI seeds, with a shrunk trace and a replay command that reproduces it', async () => {
    const { code, summary } = await sim([
      '--seed',
      '1',
      '--seeds',
      '3',
      '--steps',
      '150',
      '--planted-bug',
      'commit-pending-twice',
      '--no-orchestrators',
      '--shrink-runs',
      '12',
    ]);
    expect(code).toBe(1);
    expect(summary.ok).toBe(false);
    const first = summary.failures[0]!;
    expect(first.invariant).toBe('totals-equal-truth');
    expect(first.message).toMatch(
      /^stream s-\d+: the entity holds count \d+ .* the truth over events not dead-lettered is count \d+/,
    );
    expect(first.shrunk!.events).toBeLessThan(first.shrunk!.of);
    expect(first.shrunk!.trace).toHaveLength(first.shrunk!.events);
    expect(first.replay).toMatch(
      /^npm run sim -- --seed \d+ --steps 150 --planted-bug commit-pending-twice --no-orchestrators --keep [\d,]+$/,
    );

    const replayArgs = first.replay.replace(/^npm run sim -- /, '').split(' ');
    const replay = await sim([...replayArgs, '--no-shrink']);
    expect(replay.code).toBe(1);
    expect(replay.summary.failures[0]).toMatchObject({
      seed: first.seed,
      invariant: 'totals-equal-truth',
      message: first.message,
    });
    expect(replay.summary.events).toBe(first.shrunk!.events);
  });
});
