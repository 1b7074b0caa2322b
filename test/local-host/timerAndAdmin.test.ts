import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fetchText, pollUntil } from '../support/fetchText';
import { fixtureApp } from '../support/repoRoot';
import { startHostProcess } from '../support/startHostProcess';

interface Tick {
  isPastDue: boolean;
  adjustForDST: boolean;
}

async function ticks(baseUrl: string): Promise<Tick[]> {
  return JSON.parse((await fetchText(`${baseUrl}/api/ticks`)).text) as Tick[];
}

describe('timer triggers and the admin endpoint', () => {
  it('runs the timer on startup, by admin request, persists its status and stops gracefully', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lh-timer-'));
    const host = await startHostProcess({ app: fixtureApp('http-basic'), args: ['--data-dir', dataDir] });
    try {
      const first = await pollUntil(async () => {
        const list = await ticks(host.baseUrl);
        return list.length >= 1 ? list : undefined;
      });
      expect(first[0]).toMatchObject({ isPastDue: false, adjustForDST: true });

      const accepted = await fetchText(`${host.baseUrl}/admin/functions/tick`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: '' }),
      });
      expect(accepted.status).toBe(202);
      await pollUntil(async () => ((await ticks(host.baseUrl)).length >= 2 ? true : undefined));

      const status = await pollUntil(async () => {
        try {
          return JSON.parse(readFileSync(join(dataDir, 'timers', 'tick.json'), 'utf8')) as {
            last: string;
            next: string;
          };
        } catch {
          return undefined;
        }
      });
      // The fixture's schedule fires at 00:00:00 on 1 January.
      expect(status.next).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect(host.output()).toContain('SIGTERM received, stopping the host.');
  });

  it('runs a missed occurrence at start-up with isPastDue', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lh-timer-'));
    mkdirSync(join(dataDir, 'timers'));
    writeFileSync(
      join(dataDir, 'timers', 'tick.json'),
      JSON.stringify({
        last: '2020-01-01T00:00:00.000Z',
        next: '2021-01-01T00:00:00.000Z',
        lastUpdated: '2020-01-01T00:00:01.000Z',
      }),
    );
    const host = await startHostProcess({ app: fixtureApp('http-basic'), args: ['--data-dir', dataDir] });
    try {
      const list = await pollUntil(async () => {
        const current = await ticks(host.baseUrl);
        return current.length >= 1 ? current : undefined;
      });
      expect(list).toHaveLength(1);
      expect(list[0]?.isPastDue).toBe(true);
      await host.waitForOutput(/Timer "tick" runs now \(past due since 2021-01-01T00:00:00\.000Z\)/);
    } finally {
      await host.stop();
    }
  });

  it('rejects admin invocation of HTTP functions and unknown names', async () => {
    const host = await startHostProcess({ app: fixtureApp('http-basic') });
    try {
      const http = await fetchText(`${host.baseUrl}/admin/functions/hello`, { method: 'POST', body: '{}' });
      expect(http.status).toBe(400);
      expect(http.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(http.text)).toMatchObject({
        status: 400,
        detail: expect.stringContaining('Function "hello" is HTTP-triggered'),
      });
      const unknown = await fetchText(`${host.baseUrl}/admin/functions/nope`, { method: 'POST', body: '{}' });
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.text)).toMatchObject({
        status: 404,
        detail: expect.stringContaining('No function named "nope"'),
      });
      const badJson = await fetchText(`${host.baseUrl}/admin/functions/tick`, { method: 'POST', body: '{oops' });
      expect(badJson.status).toBe(400);
    } finally {
      await host.stop();
    }
  });
});
