#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';

import { describeError } from './errors';
import { startHost, type StoreKind } from './host';
import { processLines } from './logging/processLines';
import { formatFunctionList } from './printFunctionList';
import type { TableStoreKind } from './tables/startLocalStorage';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`expected a port from 0 to 65535, found "${value}".`);
  return port;
}

export const program = new Command()
  .name('local-host')
  .description('Runs a v4-model Node.js Azure Functions app locally without Core Tools, Docker or Azure.')
  .requiredOption('--app <folder>', 'the function app folder (package.json "main" names the entry files)')
  .option('--port <n>', 'HTTP port; 0 picks a free port', parsePort, 7071)
  .addOption(
    new Option(
      '--store <kind>',
      'durable store: sqlite persists under the data dir, memory is for fast tests; azurite is an alias of sqlite ' +
        "(Azurite tables measured below the ~2,000 entity operations/s needed; the app's own tables go where --tables says)",
    )
      .choices(['memory', 'sqlite', 'azurite'])
      .default('sqlite'),
  )
  .option('--require-keys', 'enforce function and admin keys (authLevel), unlike `func start`', false)
  .option('--verbose', 'print host internals', false)
  .option('--data-dir <dir>', 'persisted host state (default <app>/.local/host)')
  .option(
    '--allowed-host <name>',
    'also answer to this Host header name (name or name:port; repeatable); localhost, 127.0.0.0/8 and [::1] always work',
    (value: string, all: string[]) => [...all, value],
    [] as string[],
  )
  .option(
    '--no-azurite',
    'do not start the storage emulator (Azurite, embedded table store) even when AzureWebJobsStorage points at it',
  )
  .addOption(
    new Option(
      '--tables <kind>',
      "what serves the app's Table storage: the embedded SQLite store (keeps up with long histories) or Azurite's table service",
    )
      .choices(['embedded', 'azurite'])
      .default('embedded'),
  )
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    app: string;
    port: number;
    store: StoreKind;
    requireKeys: boolean;
    verbose: boolean;
    dataDir?: string;
    azurite: boolean;
    tables: TableStoreKind;
    allowedHost: string[];
  }>();
  // Set once started; the crash handlers below may run before that.
  const running: { host?: Awaited<ReturnType<typeof startHost>> } = {};
  let stopping = false;
  // Stops the host (and with it the Azurite it started) before the process goes, whatever the reason.
  const exitAfterStop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 10_000);
    force.unref();
    (running.host ? running.host.stop() : Promise.resolve())
      .then(() => process.exit(code))
      .catch((err: unknown) => {
        process.stderr.write(`Local host failed to stop cleanly: ${describeError(err)}\n`);
        process.exit(code === 0 ? 1 : code);
      });
  };
  const crash =
    (what: string) =>
    (err: unknown): void => {
      process.stderr.write(`Local host: ${what}: ${describeError(err)}\nStopping the host.\n`);
      exitAfterStop(1);
    };
  process.on('uncaughtException', crash('uncaught error'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  if (opts.store === 'azurite') {
    process.stderr.write(
      'Note: --store azurite keeps durable state in SQLite under the data dir; Azurite tables are too slow for it ' +
        "(see `npm run bench:host`). The app's own tables go where --tables says (default: the embedded table store).\n",
    );
  }
  const host = (running.host = await startHost({
    appDir: opts.app,
    port: opts.port,
    store: opts.store,
    requireKeys: opts.requireKeys,
    verbose: opts.verbose,
    azurite: opts.azurite,
    tables: opts.tables,
    allowedHosts: opts.allowedHost,
    // startHost logged why; stop everything and fail.
    onFatal: () => exitAfterStop(1),
    ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
  }));
  // Tests and scripts wait for exactly this line.
  // Log lines are buffered per event-loop turn: write what start-up logged (e.g. generated keys) first, in order.
  processLines().out.flush();
  process.stdout.write(`Local host listening on ${host.baseUrl}\n`);
  process.stdout.write(`${formatFunctionList(host.ctx.functions, host.ctx.hostJson, host.baseUrl)}\n`);

  const shutdown = (signal: string): void => {
    if (stopping) return;
    host.ctx.logger.info(`${signal} received, stopping the host.`);
    exitAfterStop(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

// Only when run as a program: tools/docs imports `program` to generate docs/reference/cli.md.
if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Local host failed to start: ${describeError(err)}\n`);
    process.exit(1);
  });
}
