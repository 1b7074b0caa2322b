#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';

import { createGenerator, type ValueShape } from './generator';
import { RateLimiter } from './rateLimiter';
import { keyFromField, nextSend, parseReplayFile, planReplay, type ScheduledEvent } from './replay';
import { formatSummary, type SendSummary } from './summary';
import { eventHubTarget, localHubTarget, type SendTarget } from './targets';

const positive =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a number >= 0; found ${JSON.stringify(value)}.`);
    return n;
  };

export const program = new Command('send')
  .description(
    "Send events to the local host's event hub or a real Event Hub: a synthetic multi-stream generator or a replayed file.",
  )
  .option('--url <url>', 'local host base URL (target: its local hub)', 'http://localhost:7071')
  .option('--hub <name>', 'event hub name', 'events')
  .option('--key <key>', 'local host started with --require-keys: its master key (default: $LOCAL_HOST_MASTER_KEY)')
  .option('--connection-string <cs>', 'send to a real Event Hub (or the emulator) with this connection string')
  .option(
    '--namespace <fqdn>',
    'send to a real Event Hub namespace with DefaultAzureCredential (e.g. myns.servicebus.windows.net)',
  )
  .option('--streams <n>', 'synthetic: number of streams', positive('--streams'), 10)
  .option('--rate <eventsPerSecond>', 'target rate; 0 = as fast as possible', positive('--rate'), 0)
  .option('--count <n>', 'synthetic: events to send', positive('--count'))
  .option('--duration <seconds>', 'synthetic: send for this long (with --rate)', positive('--duration'))
  .addOption(
    new Option('--shape <shape>', 'synthetic value shape')
      .choices(['gaussian', 'sine', 'random-walk'])
      .default('gaussian'),
  )
  .option('--mean <x>', 'synthetic: mean value', Number, 50)
  .option('--stddev <x>', 'synthetic: spread', Number, 5)
  .option(
    '--spike-every <n>',
    'synthetic: every Nth event of a stream is a spike (0 = none)',
    positive('--spike-every'),
    0,
  )
  .option('--spike-size <sigmas>', 'synthetic: spike size in standard deviations', Number, 8)
  .option('--seed <n>', 'synthetic: random seed', Number, 1)
  .option('--file <path>', 'replay an .ndjson/.jsonl, .csv or .json (array) file instead of generating')
  .option('--time-column <name>', "replay: field with each event's time; paces the replay by it")
  .option('--rebase-time', 'replay: shift times so the first event is now', false)
  .option('--speed-up <x>', 'replay: play this many times faster than recorded', positive('--speed-up'), 1)
  .option('--batch-size <n>', 'events per request/batch', positive('--batch-size'), 500)
  .option('--partition-key <key>', 'send every event with this partition key')
  .option('--key-by-stream', "use each event's stream as its partition key (same as --key-field stream)", false)
  .option(
    '--key-field <path>',
    'use this event field (dotted path, e.g. meta.carrier) as the partition key; events without it go round robin',
  )
  .option(
    '--connect-timeout <seconds>',
    'give up (exit 2) when the target does not answer within this time',
    positive('--connect-timeout'),
    30,
  )
  .option('--json', 'print the summary as JSON', false)
  .option('--no-progress', 'no progress bar (also off when stdout is not a TTY)');

interface Options {
  url: string;
  hub: string;
  key?: string;
  connectionString?: string;
  namespace?: string;
  streams: number;
  rate: number;
  count?: number;
  duration?: number;
  shape: ValueShape;
  mean: number;
  stddev: number;
  spikeEvery: number;
  spikeSize: number;
  seed: number;
  file?: string;
  timeColumn?: string;
  rebaseTime: boolean;
  speedUp: number;
  batchSize: number;
  partitionKey?: string;
  keyByStream: boolean;
  keyField?: string;
  connectTimeout: number;
  json: boolean;
  progress: boolean;
}

function targetFor(o: Options): SendTarget {
  const connectTimeoutMs = o.connectTimeout * 1000;
  if (o.connectionString || o.namespace)
    return eventHubTarget({
      connectionString: o.connectionString,
      namespace: o.namespace,
      hub: o.hub,
      connectTimeoutMs,
    });
  return localHubTarget(o.url, o.hub, connectTimeoutMs, o.key ?? process.env['LOCAL_HOST_MASTER_KEY']);
}

/** The field that gives each event its partition key, if any. */
function keyFieldOf(o: Options): string | undefined {
  if (o.keyField !== undefined && o.keyField.trim() === '')
    throw new Error('--key-field needs a field path, e.g. --key-field stream or --key-field meta.carrier.');
  if ((o.keyField !== undefined || o.keyByStream) && o.partitionKey !== undefined)
    throw new Error(
      'Use either --partition-key (one key for all events) or --key-field/--key-by-stream (a key per event), not both.',
    );
  return o.keyField ?? (o.keyByStream ? 'stream' : undefined);
}

/** Groups events by partition key (or one group) so each request/batch carries one key; unkeyed events go together. */
function groupByKey(events: unknown[], o: Options, keyField: string | undefined): [string | undefined, unknown[]][] {
  if (keyField === undefined) return [[o.partitionKey, events]];
  const groups = new Map<string | undefined, unknown[]>();
  for (const e of events) {
    const key = keyFromField(e, keyField);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  return [...groups];
}

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<Options>();
  if (o.batchSize < 1) throw new Error('--batch-size must be at least 1.');
  const keyField = keyFieldOf(o);
  let plan: ScheduledEvent[] | undefined;
  let total: number;
  if (o.file) {
    plan = planReplay(parseReplayFile(o.file, readFileSync(o.file, 'utf8')), {
      timeColumn: o.timeColumn,
      rebaseTo: o.rebaseTime ? new Date() : undefined,
      speedUp: o.speedUp,
    }).sort((a, b) => (a.atMs ?? 0) - (b.atMs ?? 0));
    total = plan.length;
  } else {
    if (o.count === undefined && o.duration === undefined)
      throw new Error('Say how much to send: --count <n> or --duration <seconds> (with --rate), or --file to replay.');
    if (o.count === undefined && !(o.rate > 0)) throw new Error('--duration needs --rate (events per second).');
    total = o.count ?? Math.round((o.duration as number) * o.rate);
  }
  const target = targetFor(o);
  await target.check();

  const bar =
    o.progress && process.stdout.isTTY
      ? new SingleBar({ format: 'sending [{bar}] {value}/{total} events | {rate} ev/s | {failed} failed' })
      : undefined;
  const generate = createGenerator({
    streams: Math.max(1, Math.floor(o.streams)),
    shape: o.shape,
    seed: o.seed,
    spikeEvery: o.spikeEvery,
    spikeSize: o.spikeSize,
    mean: o.mean,
    stddev: o.stddev,
  });
  const started = Date.now();
  const limiter = new RateLimiter(o.rate, started);
  const summary: SendSummary = { sent: 0, failed: 0, durationMs: 0 };
  let firstError: Error | undefined;
  bar?.start(total, 0, { rate: 0, failed: 0 });
  for (let done = 0; done < total;) {
    // A timed replay sends each event at its recorded time (with the later ones already due); anything else is
    // paced by --rate, a batch at a time.
    const timed = plan && o.timeColumn ? nextSend(plan, done, Date.now() - started, o.batchSize) : undefined;
    const n = timed ? timed.count : Math.min(o.batchSize, total - done);
    const slice = plan?.slice(done, done + n);
    const wait = timed ? timed.waitMs : limiter.delayFor(n, Date.now());
    if (wait > 0) await sleep(wait);
    const now = new Date();
    const events = slice ? slice.map((s) => s.event) : Array.from({ length: n }, () => generate(now));
    try {
      await target.sendGroups(groupByKey(events, o, keyField));
      summary.sent += events.length;
    } catch (err) {
      summary.failed += events.length;
      firstError ??= err as Error;
      // An unreachable target will not come back within this run: stop instead of failing every batch.
      if (/Cannot reach/.test((err as Error).message)) done = total;
    }
    done += n;
    bar?.update(Math.min(done, total), {
      rate: Math.round(summary.sent / Math.max(0.001, (Date.now() - started) / 1000)),
      failed: summary.failed,
    });
  }
  bar?.stop();
  await target.close();
  summary.durationMs = Date.now() - started;
  if (o.json)
    console.log(
      JSON.stringify({
        ...summary,
        eventsPerSec: summary.sent / Math.max(0.001, summary.durationMs / 1000),
        target: target.description,
      }),
    );
  else console.log(`${formatSummary(summary)} Target: ${target.description}.`);
  if (firstError) console.error(`First failure: ${firstError.message}`);
  return summary.failed > 0 ? 1 : 0;
}

// Only when run as a program: tools/docs imports `program` to generate docs/reference/cli.md.
if (require.main === module) {
  let finished = false;
  // A send that stops half-way must never look like success: if the event loop empties while main() is still
  // pending (a promise nothing will settle), say so and fail instead of exiting 0 with no summary.
  process.on('beforeExit', () => {
    if (finished) return;
    finished = true;
    console.error('send: stopped before finishing (nothing left to wait on); the summary is missing');
    process.exitCode = 3;
  });

  main().then(
    (code) => {
      finished = true;
      process.exitCode = code;
    },
    (err: unknown) => {
      finished = true;
      console.error(`send: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
      // A client that gave up connecting may still hold sockets or timers: do not let them keep the process alive.
      setTimeout(() => process.exit(2), 1000).unref();
    },
  );
}
