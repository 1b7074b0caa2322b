import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { simulate, type SimConfig, type SimResult } from './simulate';

const repoRoot = resolve(__dirname, '..', '..', '..');

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected ${name} to be a non-negative integer, found ${JSON.stringify(v)}`);
  return n;
};

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  const program = new Command()
    .name('sim')
    .description('Deterministic simulation of the whole pipeline (docs/explanation/simulator.md)')
    .option('--seed <n>', 'the run to simulate', int('--seed'), 1)
    .option('--steps <n>', 'scheduler steps before the drain', int('--steps'), 1000)
    .option('--json', 'print one JSON object')
    .option('--no-faults', 'no faults, on-time valid events')
    .option('--planted-bug <name>', 'test only: commit-pending-twice');
  program.parse();
  const o = program.opts<{ seed: number; steps: number; json?: boolean; faults: boolean; plantedBug?: 'commit-pending-twice' }>();
  const config: SimConfig = { seed: o.seed, steps: o.steps, appDir: repoRoot, faults: o.faults, checkOrchestrators: true, ...(o.plantedBug ? { plantedBug: o.plantedBug } : {}) };
  const r: SimResult = await simulate(config);
  console.log(JSON.stringify({ ...r, sent: r.sent.length }, null, 2));
  process.exitCode = r.ok ? 0 : 1;
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 2;
});
void readFileSync;
