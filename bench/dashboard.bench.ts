/**
 * The dashboard's weight and speed on the local host: the gzipped size of the assets it adds (budget 300 KB) and the
 * time from navigation to the first rendered view with data (overview figures and a drawn chart; budget 1 s), median of
 * several fresh page loads in Debian's chromium, beside a baseline measured in the same run: the same browser loading
 * GET /api/health (one small same-host request, no script). Optionally saves the overview as the README's screenshot.
 *
 *   npm run bench:dashboard [-- --loads 5 --warmup-seconds 20 --screenshot docs/images/dashboard-overview.png --json]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

import { chromiumPath, startLocalDemo } from '../tools/dashboard/localDemo';

interface Options {
  loads: number;
  warmupSeconds: number;
  screenshot: string | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { loads: 5, warmupSeconds: 20, screenshot: undefined, json: false };
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
    else if (arg === '--loads') o.loads = whole('--loads', 1);
    else if (arg === '--warmup-seconds') o.warmupSeconds = whole('--warmup-seconds', 0);
    else if (arg === '--screenshot') o.screenshot = resolve(value());
    else
      throw new Error(
        `Unknown argument ${JSON.stringify(arg)}; expected --loads, --warmup-seconds, --screenshot or --json`,
      );
  }
  return o;
}

const repoRoot = resolve(__dirname, '..', '..');
const BUDGET_GZIP_BYTES = 300 * 1024;
const BUDGET_FIRST_RENDER_MS = 1000;

function assetSizes(): { files: number; bytes: number; gzipBytes: number } {
  const dir = join(repoRoot, 'dist', 'dashboard');
  const files = [join(dir, 'index.html'), ...readdirSync(join(dir, 'assets')).map((f) => join(dir, 'assets', f))];
  return {
    files: files.length,
    bytes: files.reduce((n, f) => n + statSync(f).size, 0),
    gzipBytes: files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0),
  };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const sizes = assetSizes();
  const executablePath = chromiumPath();
  const demo = await startLocalDemo(['--demo-streams', '20', '--demo-rate', '300']);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    // 10-second windows, so a short warm-up already gives the charts several points.
    await fetch(`${demo.baseUrl}/api/pipelines/default`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key: 'stream',
        time: 'time',
        measures: { value: 'value' },
        window: { type: 'tumbling', size: 'PT10S' },
        lateness: 'PT5S',
      }),
    });
    await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
    if (o.warmupSeconds > 0) {
      // A few dead letters, so the outcome split shows all three parts.
      await fetch(`${demo.baseUrl}/runtime/eventhubs/events/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ stream: 's-001', time: new Date().toISOString(), value: 'n/a' }, { value: 1 }]),
      });
    }
    const firstRender: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < o.loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      let t = performance.now();
      await page.goto(`${demo.baseUrl}/api/health`);
      baseline.push(performance.now() - t);
      t = performance.now();
      await page.goto(`${demo.baseUrl}/api/dashboard/`, { waitUntil: 'commit' });
      await page.locator('.updated', { hasText: 'Last updated' }).waitFor({ timeout: 30_000 });
      await page.locator('figure.chart canvas').first().waitFor({ timeout: 30_000 });
      firstRender.push(performance.now() - t);
      await context.close();
    }
    if (o.screenshot) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
      await page.goto(`${demo.baseUrl}/`);
      await page.locator('figure.chart canvas').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1500);
      await page.screenshot({ path: o.screenshot });
    }
    const result = {
      assets: { ...sizes, budgetGzipBytes: BUDGET_GZIP_BYTES },
      firstRenderMs: {
        median: median(firstRender),
        min: Math.min(...firstRender),
        max: Math.max(...firstRender),
        loads: firstRender.length,
        budget: BUDGET_FIRST_RENDER_MS,
      },
      baselineHealthPageMs: { median: median(baseline) },
      ...(o.screenshot ? { screenshot: o.screenshot } : {}),
    };
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        [
          `Dashboard assets: ${sizes.files} files, ${(sizes.bytes / 1024).toFixed(1)} KB, ${(sizes.gzipBytes / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} KB)`,
          `First view with data (overview figures + a drawn chart), median of ${firstRender.length} fresh loads: ${result.firstRenderMs.median.toFixed(0)} ms (min ${result.firstRenderMs.min.toFixed(0)}, max ${result.firstRenderMs.max.toFixed(0)}; budget ${BUDGET_FIRST_RENDER_MS} ms)`,
          `Baseline, same browser and host: GET /api/health as a page, median ${result.baselineHealthPageMs.median.toFixed(0)} ms`,
          ...(o.screenshot ? [`Screenshot: ${o.screenshot}`] : []),
          '',
        ].join('\n'),
      );
    }
  } finally {
    await browser.close();
    await demo.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
