#!/usr/bin/env node
import { join, resolve } from 'node:path';

import { Command, InvalidArgumentError, Option } from 'commander';

import { azuritePortsFor } from '../../local-host/azurite/azuritePortsFor';
import { readLocalSettings } from '../../local-host/config/readLocalSettings';
import { describeError } from '../../local-host/errors';
import { type RunningHost, startHost } from '../../local-host/host';
import {
  type RunningLocalStorage,
  startLocalStorage,
  type TableStoreKind,
} from '../../local-host/tables/startLocalStorage';
import { formatUrls } from './formatUrls';
import { type RunningDemo, startDemo } from './startDemo';

/** This file runs as dist/tools/local/cli.js; the app is the repository itself. */
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

export const program = new Command('local')
  .description(
    'Runs Streamfold locally: the local host with embedded Azurite, the local event hub and the SQLite durable store.',
  )
  .option('--port <n>', 'HTTP port; 0 picks a free port', whole('--port', 0, 65535), 7071)
  .addOption(
    new Option('--azurite-ports <mode>', 'embedded Azurite on its standard ports 10000-10002, or on free ports (auto)')
      .choices(['default', 'auto'])
      .default(
        process.env['STREAMFOLD_AZURITE_PORTS'] === 'auto' ? 'auto' : 'default',
        'default; auto when STREAMFOLD_AZURITE_PORTS=auto',
      ),
  )
  .option('--no-azurite', 'use an Azurite (or storage account) that is already running, as AzureWebJobsStorage says')
  .addOption(
    new Option(
      '--tables <kind>',
      "what serves the app's Table storage: the embedded SQLite store (keeps up with long histories) or Azurite's table service",
    )
      .choices(['embedded', 'azurite'])
      .default('embedded'),
  )
  .addOption(
    new Option(
      '--data-dir <dir>',
      'persisted host state: event hub logs, checkpoints, durable store, Azurite data, table store',
    ).default(join(repoRoot, '.local', 'host'), '.local/host in the repository'),
  )
  .option('--demo', 'send synthetic events in process so live results appear within seconds', false)
  .option('--demo-streams <n>', 'demo: number of streams', whole('--demo-streams', 1, 100_000), 20)
  .option('--demo-rate <eventsPerSecond>', 'demo: events per second', whole('--demo-rate', 1, 1_000_000), 300)
  .option(
    '--demo-spike-every <n>',
    'demo: every Nth event of a stream is a planted spike (0 = none)',
    whole('--demo-spike-every', 0, 1_000_000),
    200,
  )
  .option('--verbose', 'print host internals', false)
  .showHelpAfterError();

interface Options {
  port: number;
  azuritePorts: 'default' | 'auto';
  azurite: boolean;
  tables: TableStoreKind;
  dataDir: string;
  demo: boolean;
  demoStreams: number;
  demoRate: number;
  demoSpikeEvery: number;
  verbose: boolean;
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Options>();
  const dataDir = resolve(o.dataDir);
  let azurite: RunningLocalStorage | undefined;
  let host: RunningHost | undefined;
  let demo: RunningDemo | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await demo?.stop();
      await host?.stop();
      await azurite?.stop();
    })());
  const onSignal = (signal: string): void => {
    process.stdout.write(`\n${signal} received, stopping Streamfold...\n`);
    stopAll().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stopping failed: ${describeError(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // A dead child (Azurite) or a stray error must never leave a half-working stack running, nor Azurite behind.
  let failing = false;
  const fail = (message: string): void => {
    if (failing) return;
    failing = true;
    process.stderr.write(`${message}\nStopping Streamfold.\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stopAll().then(
      () => process.exit(1),
      (err: unknown) => {
        process.stderr.write(`Stopping failed too: ${describeError(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('uncaughtException', (err) => fail(`Streamfold: uncaught error: ${describeError(err)}`));
  process.on('unhandledRejection', (err) => fail(`Streamfold: unhandled promise rejection: ${describeError(err)}`));

  try {
    // With free ports we start Azurite ourselves and point AzureWebJobsStorage at it; with the standard ports the
    // host starts it (and reports a busy port clearly).
    const storage = process.env['AzureWebJobsStorage'] ?? readLocalSettings(repoRoot).values['AzureWebJobsStorage'];
    // The app's event time needs the hub's partition count (EVENTHUB_PARTITION_COUNT; Azure provisions it in infra):
    // here it is the local hub's, which this process configures (LocalEventHub__PartitionCount, default 4).
    const settingOf = (name: string): string | undefined =>
      process.env[name] ?? readLocalSettings(repoRoot).values[name];
    if (
      !settingOf('EVENTHUB_PARTITION_COUNT') &&
      /UseLocalEventHub=true/i.test(settingOf('EventHubConnection') ?? '')
    ) {
      process.env['EVENTHUB_PARTITION_COUNT'] = settingOf('LocalEventHub__PartitionCount') || '4';
    }
    if (o.azurite && o.azuritePorts === 'auto' && azuritePortsFor(storage)) {
      azurite = await startLocalStorage({
        dataDir,
        ports: 0,
        tables: o.tables,
        onUnexpectedExit: (err) => fail(`${err.message} The app's storage is gone.`),
      });
      process.env['AzureWebJobsStorage'] = azurite.connectionString;
      process.stdout.write(`Storage: ${azurite.description}.\n`);
    }
    host = await startHost({
      appDir: repoRoot,
      port: o.port,
      store: 'sqlite',
      dataDir,
      azurite: o.azurite && !azurite,
      tables: o.tables,
      verbose: o.verbose,
      // The host logged why (its embedded Azurite died).
      onFatal: () => fail('Streamfold: a process the local host started died.'),
    });
    process.stdout.write(`Local host listening on ${host.baseUrl}\n`);
    process.stdout.write(
      `${formatUrls({ baseUrl: host.baseUrl, hub: process.env['EVENTHUB_NAME'] ?? 'events', dataDir, ...(azurite ? { azurite } : {}) })}\n`,
    );
    if (o.demo) {
      const rate = o.demoRate;
      demo = startDemo({
        baseUrl: host.baseUrl,
        hub: process.env['EVENTHUB_NAME'] ?? 'events',
        streams: o.demoStreams,
        rate,
        spikeEvery: o.demoSpikeEvery,
        report: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(
        `Demo: ${o.demoStreams} streams at ${rate} events/s, a spike every ${o.demoSpikeEvery || 'never'} events per stream. Watch ${host.baseUrl}/api/streams\n`,
      );
    }
    process.stdout.write('Press Ctrl-C to stop.\n');
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

// Only when run as a program: tools/docs imports `program` to generate docs/reference/cli.md.
if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Streamfold failed to start: ${describeError(err)}\n`);
    process.exit(1);
  });
}
