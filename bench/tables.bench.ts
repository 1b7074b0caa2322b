/**
 * Table store throughput as rows accumulate: Azurite's table service vs the local host's embedded SQLite store, both
 * through the real @azure/data-tables client, with app-shaped writes (Windows rows in 200 stream partitions written as
 * 10-row transactions, DeadLetters in hourly partitions, Streams catalog rows rewritten in place) and two app-shaped
 * queries timed along the way. Prints rows/s and query latency in the first and last tenth of each run.
 *
 *   npm run bench:tables [-- --rows 100000 --max-seconds 45 --concurrency 8 --stores azurite,embedded --json]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { odata, TableClient, type TransactionAction } from '@azure/data-tables';

import { devAccountKey, devAccountName, startAzurite } from '../local-host/azurite/startAzurite';
import { startTables } from '../local-host/tables/startTables';

interface Options {
  rows: number;
  maxSeconds: number;
  concurrency: number;
  stores: ('azurite' | 'embedded')[];
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { rows: 100_000, maxSeconds: 45, concurrency: 8, stores: ['azurite', 'embedded'], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg}: expected a value`);
      return v;
    };
    const whole = (name: string, min: number): number => {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n < min)
        throw new Error(`${name}: expected a whole number >= ${min}, found ${JSON.stringify(text)}`);
      return n;
    };
    if (arg === '--json') o.json = true;
    else if (arg === '--rows') o.rows = whole('--rows', 1000);
    else if (arg === '--max-seconds') o.maxSeconds = whole('--max-seconds', 1);
    else if (arg === '--concurrency') o.concurrency = whole('--concurrency', 1);
    else if (arg === '--stores') {
      const list = value().split(',');
      for (const s of list)
        if (s !== 'azurite' && s !== 'embedded')
          throw new Error(`--stores: expected azurite and/or embedded, found ${JSON.stringify(s)}`);
      o.stores = list as Options['stores'];
    } else
      throw new Error(
        `Unknown argument ${JSON.stringify(arg)}; expected --rows, --max-seconds, --concurrency, --stores or --json`,
      );
  }
  return o;
}

const STREAMS = 200;
const windowData = JSON.stringify({ count: 1234, sum: 5678.9, min: 1.5, max: 99.25, sketch: 'x'.repeat(1300) });
const raw = JSON.stringify({
  stream: 's-001',
  time: '2024-05-01T10:00:00Z',
  value: 'not a number',
  note: 'y'.repeat(200),
});

interface Progress {
  /** Rows written when each operation finished, and when (ms since start). */
  marks: { rows: number; ms: number }[];
  queries: { rows: number; windowsMs: number; deadLettersMs: number }[];
}

interface StoreResult {
  store: 'azurite' | 'embedded';
  rows: number;
  seconds: number;
  stoppedBy: 'rows' | 'time';
  rowsPerSecond: { overall: number; firstTenth: number; lastTenth: number };
  queryMs: {
    windows: { firstTenth: number; lastTenth: number };
    deadLetters: { firstTenth: number; lastTenth: number };
  };
  diskMB: number;
}

async function run(store: 'azurite' | 'embedded', o: Options): Promise<StoreResult> {
  const dir = mkdtempSync(join(tmpdir(), `bench-tables-${store}-`));
  let stop: () => Promise<void>;
  let tableUrl: string;
  if (store === 'azurite') {
    // Persisted, as `npm run local --tables azurite` runs it: the whole-document saves are part of the cost.
    const azurite = await startAzurite({ location: dir, ports: 0, timeoutMs: 60_000 });
    stop = () => azurite.stop();
    tableUrl = azurite.tableUrl;
  } else {
    const tables = await startTables({ file: join(dir, 'tables.sqlite'), port: 0 });
    stop = () => tables.stop();
    tableUrl = tables.tableUrl;
  }
  try {
    const cs = `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${tableUrl};`;
    const client = (name: string): TableClient =>
      TableClient.fromConnectionString(cs, name, { allowInsecureConnection: true });
    const windows = client('Windows');
    const deadLetters = client('DeadLetters');
    const streams = client('Streams');
    await Promise.all([windows.createTable(), deadLetters.createTable(), streams.createTable()]);
    // Warm-up (JIT, connections) in a table of its own, so the first tenth measures the store rather than start-up.
    const warmup = client('Warmup');
    await warmup.createTable();
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: o.concurrency }, (_, w) =>
          warmup.submitTransaction(
            Array.from({ length: 10 }, (_, k): TransactionAction => [
              'upsert',
              { partitionKey: `w${w}`, rowKey: `${round}-${k}`, data: windowData },
              'Replace',
            ]),
          ),
        ),
      );
    }

    const progress: Progress = { marks: [], queries: [] };
    const started = performance.now();
    const deadline = started + o.maxSeconds * 1000;
    let rows = 0;
    let op = 0;
    const nextWindow = new Array<number>(STREAMS).fill(0);
    let deadLetterSeq = 0;
    let nextQueryAt = 0;
    const queryEvery = Math.max(1000, Math.floor(o.rows / 50));
    let querying = false;

    const hourKey = (seq: number): string => {
      // A new hour every 20,000 dead letters, starting 2024-05-01T00.
      const hour = new Date(Date.UTC(2024, 4, 1) + Math.floor(seq / 20_000) * 3_600_000).toISOString().slice(0, 13);
      return hour;
    };

    const timeQueries = async (): Promise<void> => {
      const at = rows;
      const s = at % STREAMS;
      const pk = `default|s-${String(s).padStart(3, '0')}`;
      const from = String(Math.max(0, nextWindow[s]! - 200) * 60_000).padStart(15, '0');
      const t0 = performance.now();
      const w = windows
        .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from}` } })
        .byPage({ maxPageSize: 100 });
      await w.next();
      const t1 = performance.now();
      const since = hourKey(Math.max(0, deadLetterSeq - 1000));
      const d = deadLetters
        .listEntities({
          queryOptions: { filter: `${odata`PartitionKey ge ${since}`} and ${odata`reason eq ${'schema'}`}` },
        })
        .byPage({ maxPageSize: 100 });
      await d.next();
      const t2 = performance.now();
      progress.queries.push({ rows: at, windowsMs: t1 - t0, deadLettersMs: t2 - t1 });
    };

    const worker = async (): Promise<void> => {
      while (rows < o.rows && performance.now() < deadline) {
        const i = op++;
        const kind = i % 10;
        let written: number;
        if (kind <= 5) {
          const s = i % STREAMS;
          const pk = `default|s-${String(s).padStart(3, '0')}`;
          const actions: TransactionAction[] = [];
          for (let k = 0; k < 10; k++) {
            const start = nextWindow[s]!++ * 60_000;
            actions.push([
              'upsert',
              {
                partitionKey: pk,
                rowKey: String(start).padStart(15, '0'),
                start,
                end: start + 60_000,
                data: windowData,
              },
              'Replace',
            ]);
          }
          await windows.submitTransaction(actions);
          written = actions.length;
        } else if (kind <= 8) {
          const first = deadLetterSeq;
          deadLetterSeq += 5;
          const partition = String(i % 4);
          const pk = `${hourKey(first)}|${partition}`;
          const actions: TransactionAction[] = [];
          for (let k = 0; k < 5; k++) {
            const seq = first + k;
            actions.push([
              'upsert',
              {
                partitionKey: pk,
                rowKey: `${partition}|${String(seq).padStart(20, '0')}|default`,
                raw,
                reason: 'schema',
                detail: 'value: expected a number',
                enqueuedTime: new Date(Date.UTC(2024, 4, 1) + seq * 180).toISOString(),
              },
              'Replace',
            ]);
          }
          await deadLetters.submitTransaction(actions);
          written = actions.length;
        } else {
          const s = i % STREAMS;
          await streams.upsertEntity(
            {
              partitionKey: 'default',
              rowKey: `s-${String(s).padStart(3, '0')}`,
              events: i,
              lastSeen: new Date().toISOString(),
            },
            'Replace',
          );
          written = 1;
        }
        rows += written;
        progress.marks.push({ rows, ms: performance.now() - started });
        if (rows >= nextQueryAt && !querying) {
          querying = true;
          nextQueryAt = rows + queryEvery;
          await timeQueries();
          querying = false;
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, () => worker()));
    const seconds = (performance.now() - started) / 1000;
    return {
      store,
      rows,
      seconds: Number(seconds.toFixed(1)),
      stoppedBy: rows >= o.rows ? 'rows' : 'time',
      rowsPerSecond: { overall: Math.round(rows / seconds), ...tenthRates(progress.marks, rows) },
      queryMs: tenthLatencies(progress.queries, rows),
      diskMB: Number((dirBytes(dir) / 1024 / 1024).toFixed(1)),
    };
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows/s over the first and the last tenth of the rows written. */
function tenthRates(marks: Progress['marks'], total: number): { firstTenth: number; lastTenth: number } {
  const at = (rows: number): number => marks.find((m) => m.rows >= rows)?.ms ?? marks[marks.length - 1]!.ms;
  const tenth = total / 10;
  const firstMs = at(tenth);
  const lastMs = at(total) - at(total - tenth);
  return { firstTenth: Math.round(tenth / (firstMs / 1000)), lastTenth: Math.round(tenth / (lastMs / 1000)) };
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(1));
}

function tenthLatencies(queries: Progress['queries'], total: number): StoreResult['queryMs'] {
  const first = queries.filter((q) => q.rows < total / 10 + 1000);
  const last = queries.filter((q) => q.rows >= (total * 9) / 10 - 1000);
  return {
    windows: { firstTenth: median(first.map((q) => q.windowsMs)), lastTenth: median(last.map((q) => q.windowsMs)) },
    deadLetters: {
      firstTenth: median(first.map((q) => q.deadLettersMs)),
      lastTenth: median(last.map((q) => q.deadLettersMs)),
    },
  };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const results: StoreResult[] = [];
  for (const store of o.stores) {
    if (!o.json)
      process.stdout.write(
        `${store}: writing up to ${o.rows} rows (at most ${o.maxSeconds} s, ${o.concurrency} in flight)...\n`,
      );
    results.push(await run(store, o));
  }
  if (o.json) {
    console.log(
      JSON.stringify({
        options: { rows: o.rows, maxSeconds: o.maxSeconds, concurrency: o.concurrency },
        results,
        node: process.version,
      }),
    );
    return;
  }
  console.log('\nTable store as rows accumulate (app-shaped writes through @azure/data-tables)');
  for (const r of results) {
    console.log(
      `  ${r.store.padEnd(8)} ${r.rows} rows in ${r.seconds} s (${r.stoppedBy === 'time' ? 'time limit' : 'all rows'}), ${r.diskMB} MB on disk\n` +
        `           rows/s: ${r.rowsPerSecond.overall} overall, first tenth ${r.rowsPerSecond.firstTenth}, last tenth ${r.rowsPerSecond.lastTenth} (last/first ${(r.rowsPerSecond.lastTenth / r.rowsPerSecond.firstTenth).toFixed(2)})\n` +
        `           query ms (median): windows page ${r.queryMs.windows.firstTenth} -> ${r.queryMs.windows.lastTenth}, dead-letter page ${r.queryMs.deadLetters.firstTenth} -> ${r.queryMs.deadLetters.lastTenth}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
