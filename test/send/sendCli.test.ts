/** `npm run send` (dist/tools/send/cli.js, after `npm run build`) against a real local host process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { drain } from '../local-host/eventhub/hubClient';
import { readRecords } from '../local-host/eventhub/readRecords';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

const run = promisify(execFile);
const sendCli = join(repoRoot, 'dist', 'tools', 'send', 'cli.js');
const app = join(repoRoot, 'test', 'fixtures', 'apps', 'eventhub-basic');

async function send(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [sendCli, ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Record_ {
  messages: { stream: string; time: string; value: number; n?: number }[];
  partitionContext: { partitionId: string };
}

describe('send CLI', () => {
  let host: HostProcess;
  let records: string;
  beforeEach(async () => {
    records = mkdtempSync(join(tmpdir(), 'send-rec-'));
    host = await startHostProcess({ app, env: { RECORD_DIR: records } });
  });
  afterEach(async () => {
    await host.kill();
    rmSync(records, { recursive: true, force: true });
  });

  it('sends N synthetic events and the host receives N, keyed by stream', async () => {
    const result = await send([
      '--url',
      host.baseUrl,
      '--hub',
      'events',
      '--streams',
      '7',
      '--count',
      '300',
      '--batch-size',
      '50',
      '--key-by-stream',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sent: 300, failed: 0 });
    await drain(host.baseUrl, 'events', 300);
    const got = readRecords<Record_>(records, 'consume');
    const messages = got.flatMap((r) => r.messages);
    expect(messages).toHaveLength(300);
    const perStream = new Map<string, number>();
    const partitionsOf = new Map<string, Set<string>>();
    for (const r of got) {
      for (const m of r.messages) {
        expect(m).toEqual({
          stream: expect.stringMatching(/^s-00[1-7]$/),
          time: expect.any(String),
          value: expect.any(Number),
        });
        perStream.set(m.stream, (perStream.get(m.stream) ?? 0) + 1);
        partitionsOf.set(m.stream, (partitionsOf.get(m.stream) ?? new Set()).add(r.partitionContext.partitionId));
      }
    }
    expect(perStream.size).toBe(7);
    expect([...perStream.values()].reduce((a, b) => a + b, 0)).toBe(300);
    expect([...partitionsOf.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('replays a CSV file with rebased times', async () => {
    const file = join(records, 'replay.csv');
    writeFileSync(
      file,
      'stream,time,value,n\ns-1,2020-01-01T00:00:00Z,1,1\ns-2,2020-01-01T00:00:00.050Z,2,2\ns-1,2020-01-01T00:00:00.100Z,3,3\n',
    );
    const before = Date.now();
    const result = await send(['--url', host.baseUrl, '--file', file, '--time-column', 'time', '--rebase-time']);
    expect(result.code).toBe(0);
    await drain(host.baseUrl, 'events', 3);
    const messages = readRecords<Record_>(records, 'consume')
      .flatMap((r) => r.messages)
      .sort((a, b) => (a.n ?? 0) - (b.n ?? 0));
    expect(messages.map((m) => [m.stream, m.value])).toEqual([
      ['s-1', 1],
      ['s-2', 2],
      ['s-1', 3],
    ]);
    expect(Date.parse(messages[0]!.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(messages[2]!.time) - Date.parse(messages[0]!.time)).toBe(100);
  });

  it('keys a file replay by an event field (dotted path): each key sticks to one partition, unkeyed events still go', async () => {
    const file = join(records, 'keyed.ndjson');
    const carriers = ['AA', 'BB', 'CC', 'DD', 'EE'];
    const rows = Array.from({ length: 40 }, (_, i) => ({
      stream: `s-${i}`,
      time: '2024-01-01T00:00:00Z',
      value: i,
      n: i,
      meta: { carrier: carriers[i % 5] },
    }));
    rows.push({ stream: 'unkeyed', time: '2024-01-01T00:00:00Z', value: 99, n: 40 } as (typeof rows)[number]);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const result = await send([
      '--url',
      host.baseUrl,
      '--file',
      file,
      '--key-field',
      'meta.carrier',
      '--batch-size',
      '7',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sent: 41, failed: 0 });
    await drain(host.baseUrl, 'events', 41);
    const partitionsOf = new Map<string, Set<string>>();
    let count = 0;
    for (const r of readRecords<{
      messages: { n: number; meta?: { carrier: string } }[];
      partitionContext: { partitionId: string };
    }>(records, 'consume')) {
      for (const m of r.messages) {
        count += 1;
        const key = m.meta?.carrier ?? 'none';
        partitionsOf.set(key, (partitionsOf.get(key) ?? new Set()).add(r.partitionContext.partitionId));
      }
    }
    expect(count).toBe(41);
    expect([...partitionsOf.keys()].sort()).toEqual([...carriers, 'none']);
    for (const carrier of carriers)
      expect({ carrier, partitions: partitionsOf.get(carrier)!.size }).toEqual({ carrier, partitions: 1 });
    // Events spread over several partitions, so the key (not a single fixed partition) placed them.
    expect(new Set(carriers.flatMap((c) => [...partitionsOf.get(c)!])).size).toBeGreaterThan(1);
    const both = await send(['--url', host.baseUrl, '--file', file, '--key-field', 'stream', '--partition-key', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --partition-key .* or --key-field\/--key-by-stream/);
  });

  it('fails with a clear message for an unreachable target or unknown hub', async () => {
    const unreachable = await send(['--url', 'http://127.0.0.1:9', '--count', '10']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/Cannot reach the local host at http:\/\/127\.0\.0\.1:9/);
    const noHub = await send(['--url', host.baseUrl, '--hub', 'nope', '--count', '10']);
    expect(noHub.code).not.toBe(0);
    expect(noHub.stderr).toMatch(/no local event hub "nope"/);
  });

  it('gives up with exit code 2 when a target accepts connections but never answers (--connect-timeout)', async () => {
    const silent: Server = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const local = await send(['--url', `http://127.0.0.1:${port}`, '--count', '10', '--connect-timeout', '1']);
      expect(local.code).toBe(2);
      expect(local.stderr).toContain(
        `Cannot reach the local host at http://127.0.0.1:${port}: no answer within 1000 ms (--connect-timeout)`,
      );
      // The same for an Event Hubs namespace (here the emulator form of a connection string, on the silent port).
      const hub = await send([
        '--connection-string',
        `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true`,
        '--hub',
        'events',
        '--count',
        '10',
        '--connect-timeout',
        '1',
      ]);
      expect(hub.code).toBe(2);
      expect(hub.stderr).toContain(
        'Cannot reach Event Hub "events" (connection string): no answer within 1000 ms (--connect-timeout)',
      );
    } finally {
      silent.close();
    }
  });

  it('sends to a host with --require-keys given its master key (--key), and says why not without it', async () => {
    const keyed = await startHostProcess({
      app,
      args: ['--require-keys', '--store', 'memory'],
      env: { RECORD_DIR: records, LOCAL_HOST_MASTER_KEY: 'm-key', LOCAL_HOST_FUNCTION_KEY: 'f-key' },
    });
    try {
      const without = await send(['--url', keyed.baseUrl, '--count', '3']);
      expect(without.code).toBe(2);
      expect(without.stderr).toMatch(/answered 401: .*Missing key/);
      const functionKey = await send(['--url', keyed.baseUrl, '--count', '3', '--key', 'f-key']);
      expect(functionKey.code).toBe(1);
      expect(functionKey.stderr).toMatch(/refused 3 events: 401 .*requires the master key/);
      const withKey = await send(['--url', keyed.baseUrl, '--count', '3', '--key', 'm-key', '--json']);
      expect(withKey.code).toBe(0);
      expect(JSON.parse(withKey.stdout)).toMatchObject({ sent: 3, failed: 0 });
    } finally {
      await keyed.kill();
    }
  });
});
