import { Command, InvalidArgumentError } from 'commander';

export interface BenchOptions {
  streams: number;
  windows: number;
  eventsPerWindow: number;
  planted: number;
  seedConcurrency: number;
  pollMs: number;
  json: boolean;
}

const positiveInt =
  (name: string, min = 1) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected ${name} as a whole number >= ${min}, found "${text}"`);
    return n;
  };

export function parseOptions(argv: readonly string[]): BenchOptions {
  const program = new Command()
    .name('analysis-host.bench')
    .description(
      'Analysis of N streams x W windows on the local host (Azurite + durable runtime), next to the same analysis in process.',
    )
    .option('--streams <n>', 'streams', positiveInt('--streams'), 1000)
    .option(
      '--windows <n>',
      'closed windows per stream (>= 40 so the planted anomalies are detectable)',
      positiveInt('--windows', 40),
      500,
    )
    .option('--events-per-window <n>', 'events folded into each window', positiveInt('--events-per-window'), 10)
    .option(
      '--planted <n>',
      'streams with a planted anomaly (default: 1 in 100, at least 1)',
      positiveInt('--planted', 0),
    )
    .option('--seed-concurrency <n>', 'streams upserted at a time while seeding', positiveInt('--seed-concurrency'), 8)
    .option('--poll-ms <n>', 'GET /api/analyses/{id} interval', positiveInt('--poll-ms'), 250)
    .option('--json', 'print one JSON object', false)
    .showHelpAfterError();
  program.parse([...argv]);
  const o = program.opts<Omit<BenchOptions, 'planted'> & { planted?: number }>();
  const planted = o.planted ?? Math.max(1, Math.round(o.streams / 100));
  if (planted > o.streams)
    throw new InvalidArgumentError(`expected --planted at most --streams (${o.streams}), found ${planted}`);
  return { ...o, planted };
}
