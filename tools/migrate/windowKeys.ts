#!/usr/bin/env node
import { migrateWindowKeys } from '../../src/storage/table/migrateWindowKeys';
import { tableClientFor } from '../../src/storage/tableClientFor';
import { TABLE_NAMES } from '../../src/storage/tableNames';

/**
 * Moves closed windows stored before the stream-key codec (PartitionKey `{pipeline}|{stream}`) to their new key, on the
 * storage account the app uses (AzureWebJobsStorage or AzureWebJobsStorage__*). Usage:
 *   node dist/tools/migrate/windowKeys.js [--dry-run] [--table-prefix <prefix>]
 * Prints { moved, superseded, skipped } as JSON. See docs/explanation/stream-keys.md.
 */
async function main(args: string[]): Promise<void> {
  const dryRun = args.includes('--dry-run');
  const at = args.indexOf('--table-prefix');
  const prefix = at >= 0 ? (args[at + 1] ?? '') : '';
  const unknown = args.filter((a, i) => a !== '--dry-run' && a !== '--table-prefix' && !(at >= 0 && i === at + 1));
  if (unknown.length > 0)
    throw new Error(`expected [--dry-run] [--table-prefix <prefix>], found ${JSON.stringify(unknown)}`);
  const client = await tableClientFor(prefix + TABLE_NAMES.windows);
  console.log(JSON.stringify(await migrateWindowKeys(client, { dryRun }), null, 2));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`migrate window keys: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
