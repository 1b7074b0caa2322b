/**
 * The event hub extension in a real host process (dist/local-host/cli.js, after `npm run build`) running
 * the eventhub-basic fixture app through its real @azure/functions code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type HostProcess, startHostProcess } from '../../support/startHostProcess';
import { drain, postEvents } from './hubClient';
import { readRecords } from './readRecords';

const app = join(__dirname, '..', '..', 'fixtures', 'apps', 'eventhub-basic');

interface ConsumeRecord {
  messages: unknown[];
  partitionContext: {
    partitionId: string;
    eventHubName: string;
    consumerGroup: string;
    fullyQualifiedNamespace: string;
  };
  sequenceNumberArray: number[];
  offsetArray: string[];
  enqueuedTimeUtcArray: string[];
  partitionKeyArray: string[];
  propertiesArray: Record<string, unknown>[];
  systemPropertiesArray: Record<string, unknown>[];
}

describe('local event hub in the host', () => {
  const dirs: string[] = [];
  const hosts: HostProcess[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, recordDir: string, env: Record<string, string> = {}): Promise<HostProcess> => {
    const host = await startHostProcess({ app, args: ['--data-dir', dataDir], env: { RECORD_DIR: recordDir, ...env } });
    hosts.push(host);
    return host;
  };
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.kill()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers batches of at most maxEventBatchSize with the trigger metadata, keys sticking to a partition', async () => {
    const records = tempDir('eh-rec-');
    const host = await start(tempDir('eh-data-'), records);
    const keys = ['alpha', 'beta', 'gamma'];
    const keyed = Array.from({ length: 36 }, (_, i) => ({
      body: { i, key: keys[i % 3] },
      partitionKey: keys[i % 3],
      properties: { Source: 'test', N: i },
    }));
    const accepted = await postEvents(host.baseUrl, 'events', keyed, '?envelope=true');
    expect(accepted.accepted).toBe(36);
    const plain = Array.from({ length: 12 }, (_, i) => ({ i: 100 + i }));
    const second = await postEvents(host.baseUrl, 'events', plain);
    expect(Object.keys(second.partitions).sort()).toEqual(['0', '1', '2', '3']); // round robin without a key
    await drain(host.baseUrl, 'events', 48);

    const got = readRecords<ConsumeRecord>(records, 'consume');
    const all = got.flatMap((r) => r.messages as { i: number; key?: string }[]);
    expect(all.map((m) => m.i).sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 36 }, (_, i) => i),
      ...Array.from({ length: 12 }, (_, i) => 100 + i),
    ]);
    for (const r of got) {
      expect(r.messages.length).toBeGreaterThan(0);
      expect(r.messages.length).toBeLessThanOrEqual(5);
      expect(r.partitionContext).toEqual({
        fullyQualifiedNamespace: 'localhost',
        eventHubName: 'events',
        consumerGroup: '$Default',
        partitionId: r.partitionContext.partitionId,
      });
      expect(r.sequenceNumberArray).toHaveLength(r.messages.length);
      expect(r.offsetArray.every((o) => /^\d+$/.test(o))).toBe(true);
      expect(r.enqueuedTimeUtcArray.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(t))).toBe(true);
      r.sequenceNumberArray.forEach((seq, i) => {
        expect(r.systemPropertiesArray[i]).toMatchObject({
          sequenceNumber: seq,
          'x-opt-sequence-number': seq,
          offset: Number(r.offsetArray[i]),
        });
        if (i > 0) expect(seq).toBe((r.sequenceNumberArray[i - 1] as number) + 1);
      });
    }
    // Per partition the batches cover 0..n-1 exactly once, in order.
    const byPartition = new Map<string, number[]>();
    for (const r of got)
      byPartition.set(r.partitionContext.partitionId, [
        ...(byPartition.get(r.partitionContext.partitionId) ?? []),
        ...r.sequenceNumberArray,
      ]);
    for (const seqs of byPartition.values()) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    // Keyed events: one partition per key, key and (first-letter-lowercased) properties in the metadata.
    const partitionOfKey = new Map<string, Set<string>>();
    for (const r of got) {
      (r.messages as { key?: string }[]).forEach((m, i) => {
        if (!m.key) return;
        partitionOfKey.set(m.key, (partitionOfKey.get(m.key) ?? new Set()).add(r.partitionContext.partitionId));
        expect(r.systemPropertiesArray[i]).toMatchObject({ partitionKey: m.key, 'x-opt-partition-key': m.key });
        expect(r.propertiesArray[i]).toEqual({ source: 'test', n: (m as { i: number }).i });
      });
    }
    expect([...partitionOfKey.values()].map((s) => s.size)).toEqual([1, 1, 1]);
  });

  it('resumes from the checkpoint after a restart without redelivering', async () => {
    const records = tempDir('eh-rec-');
    const data = tempDir('eh-data-');
    let host = await start(data, records);
    await postEvents(
      host.baseUrl,
      'events',
      Array.from({ length: 20 }, (_, i) => ({ i })),
    );
    await drain(host.baseUrl, 'events', 20);
    expect(await host.stop()).toBe(0);
    host = await start(data, records);
    await postEvents(
      host.baseUrl,
      'events',
      Array.from({ length: 7 }, (_, i) => ({ i: 20 + i })),
    );
    await drain(host.baseUrl, 'events', 27);
    const seen = readRecords<ConsumeRecord>(records, 'consume')
      .flatMap((r) => r.messages as { i: number }[])
      .map((m) => m.i);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 27 }, (_, i) => i));
  });

  it('after SIGKILL mid-stream, restarts at the checkpoint and loses nothing', async () => {
    const records = tempDir('eh-rec-');
    const data = tempDir('eh-data-');
    let host = await start(data, records, { SLOW_MS: '40' });
    let sent = 0;
    // Keep sending until some batches are done but the consumer is behind, then crash.
    while (readRecords(records, 'consume').length < 4) {
      await postEvents(
        host.baseUrl,
        'events',
        Array.from({ length: 10 }, () => ({ i: sent++ })),
      );
    }
    await host.kill();
    const checkpoints = new Map<string, number>();
    for (const p of ['0', '1', '2', '3']) {
      try {
        checkpoints.set(
          p,
          (
            JSON.parse(
              readFileSync(join(data, 'eventhubs', 'events', 'checkpoints', '%24Default', `${p}.json`), 'utf8'),
            ) as { sequenceNumber: number }
          ).sequenceNumber,
        );
      } catch {
        checkpoints.set(p, -1);
      }
    }
    const before = readRecords<ConsumeRecord>(records, 'consume').length;
    // The consumer was behind when it died: some accepted events are past the checkpoints.
    const checkpointed = [...checkpoints.values()].reduce((sum, c) => sum + c + 1, 0);
    expect(sent).toBeGreaterThan(checkpointed);

    host = await start(data, records);
    const extra = Array.from({ length: 10 }, () => ({ i: sent++ }));
    await postEvents(host.baseUrl, 'events', extra);
    await drain(host.baseUrl, 'events', sent);
    const after = readRecords<ConsumeRecord>(records, 'consume').slice(before);
    for (const [partition, checkpoint] of checkpoints) {
      const first = after.find((r) => r.partitionContext.partitionId === partition);
      expect(first?.sequenceNumberArray[0]).toBe(checkpoint + 1);
    }
    const seen = new Set(
      readRecords<ConsumeRecord>(records, 'consume')
        .flatMap((r) => r.messages as { i: number }[])
        .map((m) => m.i),
    );
    expect(seen.size).toBe(sent);
  });

  it('appends output binding values to the named hub, one event per array element', async () => {
    const records = tempDir('eh-rec-');
    const host = await start(tempDir('eh-data-'), records);
    const res = await fetch(`${host.baseUrl}/api/forward`, {
      method: 'POST',
      body: JSON.stringify([{ a: 1 }, 'two', 3]),
    });
    expect(res.status).toBeLessThan(300);
    const one = await fetch(`${host.baseUrl}/api/forwardOne`, { method: 'POST', body: 'single' });
    expect(one.status).toBe(202);
    await drain(host.baseUrl, 'copies', 4);
    const copies = readRecords<{
      message: unknown;
      sequenceNumber: number;
      offset: number;
      enqueuedTimeUtc: string;
      partitionContext: { eventHubName: string };
    }>(records, 'copies');
    expect(copies.map((c) => c.message).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [3, 'single', 'two', { a: 1 }].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const c of copies) {
      expect(c.partitionContext.eventHubName).toBe('copies');
      expect(typeof c.sequenceNumber).toBe('number');
      expect(c.enqueuedTimeUtc).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+$/);
    }
  });

  it('moves past a failing batch, and runs admin invocations as a one-event batch', async () => {
    const records = tempDir('eh-rec-');
    const host = await start(tempDir('eh-data-'), records);
    await postEvents(host.baseUrl, 'events', [{ fail: true }], '?partitionId=2');
    await postEvents(host.baseUrl, 'events', [{ i: 1 }], '?partitionId=2');
    await drain(host.baseUrl, 'events', 2);
    await host.waitForOutput(/Function "consume" failed on partition 2 .*asked to fail.*Moving past the batch/);
    const got = readRecords<ConsumeRecord>(records, 'consume');
    expect(got.flatMap((r) => r.messages)).toEqual([{ i: 1 }]);

    const admin = await fetch(`${host.baseUrl}/admin/functions/consume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: '{"admin":true}' }),
    });
    expect(admin.status).toBe(202);
    const deadline = Date.now() + 10_000;
    while (readRecords(records, 'consume').length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const adminRecord = readRecords<ConsumeRecord>(records, 'consume')[1];
    expect(adminRecord?.messages).toEqual([{ admin: true }]);
    expect(adminRecord?.partitionContext.partitionId).toBe('$admin');
    expect(adminRecord?.sequenceNumberArray).toHaveLength(1);
  });

  it('answers producers clearly on bad input', async () => {
    const host = await start(tempDir('eh-data-'), tempDir('eh-rec-'));
    const json = { 'content-type': 'application/json' };
    const bad = await fetch(`${host.baseUrl}/runtime/eventhubs/events/events`, {
      method: 'POST',
      headers: json,
      body: 'not json',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not JSON/);
    const missing = await fetch(`${host.baseUrl}/runtime/eventhubs/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/No local event hub "nope".*events, copies/);
    const badPartition = await fetch(`${host.baseUrl}/runtime/eventhubs/events/events?partitionId=9`, {
      method: 'POST',
      headers: json,
      body: '[1]',
    });
    expect(badPartition.status).toBe(400);
    expect(((await badPartition.json()) as { error: string }).error).toMatch(
      /partitions 0-3; partition id "9" does not exist/,
    );
  });
});
