#!/usr/bin/env node
import { readFileSync } from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

/**
 * `npm run replay`: POST /api/deadletters/replay on the local host or a deployment (docs/how-to/dead-letters.md). The
 * app does the work (selection, fix, ledger, sending); this only builds the request and prints the answer.
 */

const json =
  (name: string) =>
  (value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch (e) {
      throw new InvalidArgumentError(`${name} must be JSON; ${(e as Error).message}`);
    }
  };
const whole = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError(`--limit must be a whole number from 1 to 10000; found ${JSON.stringify(value)}.`);
  return n;
};

export const program = new Command('replay')
  .description(
    'Replays dead letters through the app (POST /api/deadletters/replay): each counts once, only in the pipeline that dead-lettered it. See docs/how-to/dead-letters.md.',
  )
  .option('--url <url>', 'the app: the local host, or https://<app>.azurewebsites.net', 'http://localhost:7071')
  .option('--key <key>', 'the master (admin) key (sent as x-functions-key)')
  .option('--since <time>', 'only dead letters enqueued at or after this ISO time')
  .option('--until <time>', 'only dead letters enqueued before this ISO time')
  .option('--reason <reason>', 'only this reason (schema, late, expression, ...)')
  .option('--pipeline <name>', 'only dead letters of this pipeline')
  .option('--stream <key>', 'only dead letters of this stream')
  .option(
    '--fix <patch>',
    'an RFC 6902 JSON Patch applied to each body, e.g. \'[{"op":"move","from":"/val","path":"/value"}]\'',
    json('--fix'),
  )
  .option('--fix-file <file>', 'the JSON Patch, read from a file')
  .option('--limit <n>', 'dead letters to replay at most (1 to 10000)', whole, 1000)
  .option('--dry-run', 'send nothing; print what would be sent and what would become of each event', false)
  .option('--json', "print the app's answer as JSON", false)
  .showHelpAfterError();

interface Options {
  url: string;
  key?: string;
  since?: string;
  until?: string;
  reason?: string;
  pipeline?: string;
  stream?: string;
  fix?: unknown;
  fixFile?: string;
  limit: number;
  dryRun: boolean;
  json: boolean;
}

interface Answer {
  replayId: string;
  selected: number;
  sent: number;
  alreadyApplied: number;
  skippedStorage: number;
  fixFailed: { partition: string; sequenceNumber: number; error: string }[];
  items: {
    partition: string;
    sequenceNumber: number;
    pipeline?: string;
    body: string;
    outcome?: { pipeline: string; outcome: string; reason?: string }[];
  }[];
}

/** The request body the options stand for. */
export function requestBody(o: Options): Record<string, unknown> {
  const fix = o.fixFile !== undefined ? (JSON.parse(readFileSync(o.fixFile, 'utf8')) as unknown) : o.fix;
  return {
    ...(o.since !== undefined ? { since: o.since } : {}),
    ...(o.until !== undefined ? { until: o.until } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.pipeline !== undefined ? { pipeline: o.pipeline } : {}),
    ...(o.stream !== undefined ? { stream: o.stream } : {}),
    ...(fix !== undefined ? { fix } : {}),
    limit: o.limit,
    dryRun: o.dryRun,
  };
}

async function main(o: Options): Promise<number> {
  const key = o.key;
  const res = await fetch(`${o.url.replace(/\/$/, '')}/api/deadletters/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-functions-key': key } : {}) },
    body: JSON.stringify(requestBody(o)),
  });
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`replay: ${o.url} answered ${res.status}: ${text.slice(0, 2000)}\n`);
    return 1;
  }
  if (o.json) {
    process.stdout.write(`${text}\n`);
    return 0;
  }
  const a = JSON.parse(text) as Answer;
  const out: string[] = [
    `replay ${a.replayId}${o.dryRun ? ' (dry run)' : ''}: ${a.selected} selected, ${o.dryRun ? `${a.items.length} would be sent` : `${a.sent} sent`}, ${a.alreadyApplied} already applied, ${a.skippedStorage} storage skipped, ${a.fixFailed.length} fix failed`,
  ];
  for (const f of a.fixFailed) out.push(`  fix failed ${f.partition}/${f.sequenceNumber}: ${f.error}`);
  if (o.dryRun)
    for (const i of a.items)
      out.push(
        `  ${i.partition}/${i.sequenceNumber} ${i.pipeline ?? '*'}: ${(i.outcome ?? []).map((x) => `${x.pipeline} ${x.outcome}${x.reason ? ` (${x.reason})` : ''}`).join(', ')}  ${i.body.slice(0, 120)}`,
      );
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

if (require.main === module) {
  program.parse();
  main(program.opts<Options>()).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`replay: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
