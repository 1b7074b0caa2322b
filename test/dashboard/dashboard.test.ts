import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { chromiumPath, type LocalDemo, startLocalDemo } from '../../tools/dashboard/localDemo';
import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against `npm run local -- --demo`: each
 * view must show real data from the API. Full-page screenshots of every view go to test-output/dashboard/ (git-ignored)
 * for a person to look at. One host and one browser for the whole file.
 */

const shots = join(repoRoot, 'test-output', 'dashboard');
let demo: LocalDemo | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  // Fails (never skips) with the install command when chromium is missing.
  const executablePath = chromiumPath();
  mkdirSync(shots, { recursive: true });
  demo = await startLocalDemo(['--demo-streams', '8', '--demo-rate', '200']);
  // The demo's pipeline with 10-second windows, so sparklines and window charts have several points within seconds.
  const put = await fetch(`${demo.baseUrl}/api/pipelines/default`, {
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
  if (put.status !== 201)
    throw new Error(`expected 201 storing the demo pipeline, found ${put.status}: ${await put.text()}`);
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The demo's streams must have events before the views are judged.
  await pollUntil(
    async () => {
      const res = await fetch(`${demo!.baseUrl}/api/streams?limit=10`);
      const body = (await res.json()) as { items?: unknown[] };
      return (body.items?.length ?? 0) >= 8 ? true : undefined;
    },
    90_000,
    500,
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
}, 60_000);

const pageErrors: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
/** A chart drawn by uPlot (a canvas) with at least one point. */
const drawnChart = (title: string) =>
  page.locator(`figure[data-chart="${title}"]:not([data-points="0"]) canvas`).first();

describe('the dashboard on the local host', () => {
  it('is where / redirects, and its assets are versioned and small', async () => {
    const res = await fetch(`${demo!.baseUrl}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/api/dashboard/');
    const html = await (await fetch(`${demo!.baseUrl}/api/dashboard/`)).text();
    const js = /\/api\/dashboard\/(assets\/main-[A-Z0-9]+\.js)/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(`${demo!.baseUrl}/api/dashboard/${js}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const missing = await fetch(`${demo!.baseUrl}/api/dashboard/assets/main-NOPE.js`);
    expect(missing.status).toBe(404);
  });

  it('Overview: rates, latency and the outcome split charted from the per-minute metrics, hub lag per partition', async () => {
    await page.goto(`${demo!.baseUrl}/`);
    expect(page.url()).toBe(`${demo!.baseUrl}/api/dashboard/`);
    await drawnChart('Events per second (per minute)').waitFor({ timeout: 60_000 });
    await drawnChart('Latency, enqueued to processed').waitFor();
    await drawnChart('Events per minute: aggregated + filtered + dead-lettered').waitFor();
    await page.locator('.updated', { hasText: 'Last updated' }).waitFor();
    const eventsIn = await page.locator('.stat', { hasText: 'Events in' }).locator('.stat-value').innerText();
    expect(eventsIn).toMatch(/^[\d,.]+ events\/s$/);
    expect(Number(eventsIn.split(' ')[0]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await page.locator('table.lag tbody tr').count()).toBeGreaterThan(0);
    // Window revisions summed over the sampled streams' views, beside the duplicates (the demo has no corrections).
    const revisions = page.locator('.stat', { hasText: 'Revisions' }).locator('.stat-value');
    await revisions.filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    expect(await revisions.innerText()).toBe('0');
    await shot('overview');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await shot('overview-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('Pipeline graph: the flow of the running pipeline with counts', async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/graph`);
    const graph = page.locator('article.pipeline-graph').first();
    await graph.waitFor();
    await expectCount(graph.locator('.node'), 8);
    expect(await graph.locator('.node', { hasText: 'stream entities' }).innerText()).toMatch(/[1-9]\d* streams/);
    await shot('graph');
  });

  it('Streams: the demo streams listed with events, rates and sparklines; sorting and search work', async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/streams`);
    const rows = page.locator('table.streams tbody tr');
    await rows.filter({ hasText: 's-001' }).waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(8);
    await page.locator('table.streams svg.spark').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /^Stream/ }).click();
    expect(await rows.first().locator('td').first().innerText()).toBe('s-008');
    await page.fill('input[name=prefix]', 's-00');
    await page.fill('input[name=prefix]', 's-003');
    await expectCount(rows, 1);
    await page.fill('input[name=prefix]', '');
    await rows.filter({ hasText: 's-008' }).waitFor();
    await shot('streams');
  });

  it("Stream detail: the stream's windows plotted with counts and figures", async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/streams`);
    await page.locator('table.streams a', { hasText: 's-002' }).click();
    await page.locator('h1', { hasText: 's-002' }).waitFor();
    await page
      .locator('figure[data-chart^="Windows of value"]:not([data-points="0"]) canvas')
      .first()
      .waitFor({ timeout: 60_000 });
    await drawnChart('Events per window').waitFor();
    expect(await page.locator('.stat', { hasText: 'Revisions' }).locator('.stat-value').innerText()).toBe('0');
    expect(
      Number(
        (await page.locator('.stat', { hasText: 'Events' }).first().locator('.stat-value').innerText()).replace(
          /,/g,
          '',
        ),
      ),
    ).toBeGreaterThan(0);
    await shot('stream');
  });

  it("Pipelines: a bad definition's error from the API is shown beside its field", async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/pipelines`);
    await page.fill('input[name=name]', 'bad-one');
    await page.fill('input[name="window.size"]', 'one minute');
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('.field-error[data-field="window.size"]');
    await error.waitFor();
    expect(await error.innerText()).toContain('window.size: expected an ISO 8601 duration');
    // Beside the field: inside the same label as the input.
    expect(
      await page
        .locator('label', { has: page.locator('input[name="window.size"]') })
        .locator('.field-error')
        .count(),
    ).toBe(1);
    expect(await page.locator('[role=alert]').first().innerText()).toContain('window.size');
    await shot('pipelines');
  });

  it('Try it: verdicts for good, filtered and malformed events without saving', async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/try`);
    const now = Date.now();
    const t = (s: number) => new Date(now - s * 1000).toISOString();
    await page.fill(
      'textarea[name=samples]',
      [
        JSON.stringify({ stream: 'x-1', time: t(90), value: 3 }),
        JSON.stringify({ stream: 'x-1', time: t(80), value: -1 }),
        '{"stream": "x-2", "value":',
        JSON.stringify({ stream: 'x-2', time: t(70), value: 'warm' }),
        JSON.stringify({ stream: 'x-2', time: t(60), value: 5 }),
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Run on these events' }).click();
    const rows = page.locator('table.verdicts tbody tr');
    await expectCount(rows, 5);
    expect(await rows.locator('.badge').allInnerTexts()).toEqual([
      'aggregated',
      'filtered',
      'dead-lettered',
      'dead-lettered',
      'aggregated',
    ]);
    expect(await rows.nth(1).innerText()).toContain('filtered out by value >= 0');
    expect(await rows.nth(2).innerText()).toContain('invalid-json');
    expect(await page.locator('text=Resulting windows').count()).toBe(1);
    // Nothing stored: still only the demo's pipeline.
    const pipelines = (await (await fetch(`${demo!.baseUrl}/api/pipelines`)).json()) as { items: { name: string }[] };
    expect(pipelines.items.map((p) => p.name)).toEqual(['default']);
    await shot('try');
  });

  it('Dead letters: by reason and time, with raw body and detail', async () => {
    const res = await fetch(`${demo!.baseUrl}/runtime/eventhubs/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { stream: 's-001', time: new Date().toISOString(), value: 'not a number' },
        { time: new Date().toISOString(), value: 1 },
      ]),
    });
    expect(res.status).toBe(200);
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/deadletters`);
    const rows = page.locator('table.deadletters tbody tr', { hasText: 'schema' });
    await rows.first().waitFor({ timeout: 30_000 });
    expect(await rows.first().innerText()).toMatch(/expected/);
    await drawnChart('Dead letters per minute, by reason (this page)').waitFor();
    await shot('deadletters');
    // The overview's per-reason series (GET /api/metrics/series byReason) charts them too.
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/overview`);
    await drawnChart('Dead letters per minute, by reason').waitFor({ timeout: 30_000 });
  });

  it('Analyses: starts a run over the last hour and shows its status', async () => {
    await page.goto(`${demo!.baseUrl}/api/dashboard/#/analyses`);
    await page.getByRole('button', { name: 'All pipelines, last hour' }).click();
    await page.waitForURL(/#\/analyses\/.+/);
    await page.locator('.side .badge').first().waitFor();
    await page
      .locator('.main', { hasText: /Status|Pipeline default/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await shot('analyses');
  });

  it('raised no script error on any view', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** Waits until the locator matches exactly `n` elements (jest's expect has no retrying locator matchers). */
async function expectCount(locator: ReturnType<Page['locator']>, n: number): Promise<void> {
  await pollUntil(async () => ((await locator.count()) === n ? true : undefined), 30_000, 100).catch(async () => {
    throw new Error(`expected ${n} elements matching ${String(locator)}, found ${await locator.count()}`);
  });
}
