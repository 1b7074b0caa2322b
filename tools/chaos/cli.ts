#!/usr/bin/env node
import { resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { parseFaultPlan } from '../../src/functions/ingest/faultInjection';
import { formatTable } from './report';
import { type ChaosReport, runChaos } from './runChaos';

/** This file runs as dist/tools/chaos/cli.js; the app is the repository itself. */
const repoRoot = resolve(__dirname, '..', '..', '..');

const whole =
  (name: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}; found ${JSON.stringify(value)}.`,
      );
    return n;
  };

const faultsArg = (value: string): string => {
  try {
    parseFaultPlan(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
  return value;
};

export const program = new Command('chaos')
  .description(
    "Fault injection on the local host: streams events steadily while Azurite (the app's Table storage) is stopped and " +
      'restarted on the same data, with injected dead-letter and signal failures; then drains and checks every stream ' +
      'exactly (lost and doubleCounted must be 0). Exit code 1 when they are not. See docs/how-to/chaos.md.',
  )
  .option('--json', 'print one JSON object (the last line of stdout) instead of the table', false)
  .option('--outages <n>', 'storage outages during the run', whole('--outages', 0, 20), 2)
  .option(
    '--outage-seconds <s>',
    'seconds each outage lasts (Azurite down), restart time not included',
    whole('--outage-seconds', 1, 600),
    10,
  )
  .option(
    '--duration <s>',
    'seconds of steady streaming (default: 10 s before, between and after the outages)',
    whole('--duration', 5, 3600),
  )
  .option('--rate <n>', 'events per second', whole('--rate', 1, 100_000), 300)
  .option('--streams <n>', 'number of streams', whole('--streams', 1, 1000), 7)
  .option(
    '--invalid-every <n>',
    'every Nth event of partition 0 is malformed JSON (0 = none; the dead-letter fault needs some)',
    whole('--invalid-every', 0, 1_000_000),
    20,
  )
  .option('--faults <spec>', 'STREAMFOLD_FAULTS for the app ("" for none)', faultsArg, 'deadLetterWrite:1,signal:1')
  .option(
    '--drain-timeout <s>',
    'seconds the hub may take to drain after streaming stops',
    whole('--drain-timeout', 10, 3600),
    180,
  )
  .option(
    '--keep-data',
    'keep the data directory (host.log, Azurite data, hub, durable store) and print where it is',
    false,
  )
  .showHelpAfterError();

interface Options {
  json: boolean;
  outages: number;
  outageSeconds: number;
  duration?: number;
  rate: number;
  streams: number;
  invalidEvery: number;
  faults: string;
  drainTimeout: number;
  keepData: boolean;
}

function printHuman(r: ChaosReport): void {
  const out = process.stdout;
  out.write(`${formatTable(r.perStream, r)}\n\n`);
  out.write(
    `faults injected: ${
      Object.entries(r.faults.injected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none planned'
    }\n`,
  );
  r.outages.forEach((o, k) =>
    out.write(
      `outage ${k + 1}: at ${o.at} s, storage down ${(o.downMs / 1000).toFixed(1)} s (stop took ${o.stopMs} ms), ${o.storageErrorLines} storage failure line(s) logged\n`,
    ),
  );
  out.write(
    `host: ${r.host.batchesAbandoned} ingest batch(es) given up (${r.host.eventsAbandoned} events), ${r.host.ingestRetries} ingest retries, ` +
      `${r.host.windowSaveFailures} window save failures, ${r.host.metricsNotRecorded} metrics writes lost\n`,
  );
  out.write(
    `dead letters: ${r.deadLetters.total} (${
      Object.entries(r.deadLetters.byReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    })\n`,
  );
  if (r.metrics)
    out.write(
      `/api/metrics: ${r.metrics.events} events in, ${r.metrics.aggregated} aggregated, ${r.metrics.deadLettered} dead-lettered\n`,
    );
  out.write(
    `drained: ${r.drained}, settled: ${r.settled}, ${r.elapsedSeconds} s${r.dataDir ? `, data kept in ${r.dataDir}` : ''}\n`,
  );
  out.write(
    r.ok ? '\nOK: no event lost, none counted twice.\n' : `\nFAILED:\n${r.failures.map((f) => `- ${f}`).join('\n')}\n`,
  );
}

async function main(): Promise<void> {
  const opts = program.parse().opts<Options>();
  const durationSeconds = opts.duration ?? opts.outages * opts.outageSeconds + (opts.outages + 1) * 10;
  const report = await runChaos({
    repoRoot,
    durationSeconds,
    outages: opts.outages,
    outageSeconds: opts.outageSeconds,
    rate: opts.rate,
    streams: opts.streams,
    invalidEvery: opts.invalidEvery,
    faults: opts.faults,
    drainTimeoutSeconds: opts.drainTimeout,
    keepData: opts.keepData,
    progress: (m) => process.stderr.write(`chaos: ${m}\n`),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else printHuman(report);
  process.exitCode = report.ok ? 0 : 1;
}

// Only when run as a program: tools/docs imports `program` to generate docs/reference/cli.md.
if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
