import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { FilePartitionLog } from './filePartitionLog';
import { MemoryPartitionLog } from './memoryPartitionLog';
import type { EventToAppend, PartitionLog } from './types';

const ev = (text: string, key: string | null = null, properties: Record<string, unknown> = {}): EventToAppend => ({
  body: Buffer.from(text),
  partitionKey: key,
  properties,
});
const bodies = (log: PartitionLog, from = 0, max = 1000): string[] => log.read(from, max).map((e) => e.body.toString());

describe('FilePartitionLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ehlog-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('assigns sequence numbers and byte offsets, and reads back ranges', async () => {
    const log = new FilePartitionLog('0', dir);
    const t = new Date('2024-01-01T00:00:00.000Z');
    const first = log.append([ev('a', 'k', { n: 1 }), ev('bb')], t);
    await log.flush();
    expect(first.map((e) => [e.sequenceNumber, e.offset])).toEqual([
      [0, '0'],
      [
        1,
        String(
          Buffer.byteLength(
            fs.readFileSync(path.join(dir, '00000000000000000000.ndjson'), 'utf8').split('\n')[0] as string,
          ) + 1,
        ),
      ],
    ]);
    log.append([ev('ccc')], new Date(t.getTime() + 1000));
    expect(bodies(log)).toEqual(['a', 'bb', 'ccc']);
    expect(bodies(log, 1, 1)).toEqual(['bb']);
    expect(log.read(0, 1)[0]).toMatchObject({ partitionKey: 'k', properties: { n: 1 }, enqueuedTime: t });
    expect(log.read(5, 10)).toEqual([]);
    expect(log.sequenceNumberAt(new Date(t.getTime() + 1))).toBe(2);
    expect(log.info()).toMatchObject({
      lastSequenceNumber: 2,
      beginningSequenceNumber: 0,
      lastEnqueuedTimeUtc: '2024-01-01T00:00:01.000Z',
    });
    log.close();
  });

  it('rolls segments and reads across them, also after reopening', () => {
    const log = new FilePartitionLog('1', dir, { segmentBytes: 100, fsync: 'never' });
    for (let i = 0; i < 30; i++) log.append([ev(`event-${i}`)], new Date());
    const all = log.read(0, 100);
    log.close();
    expect(fs.readdirSync(dir).length).toBeGreaterThan(3);
    expect(all.map((e) => e.body.toString())).toEqual(Array.from({ length: 30 }, (_, i) => `event-${i}`));
    const reopened = new FilePartitionLog('1', dir, { segmentBytes: 100 });
    expect(reopened.nextSequenceNumber).toBe(30);
    expect(reopened.read(0, 100)).toEqual(all);
    expect(bodies(reopened, 7, 9)).toEqual(Array.from({ length: 9 }, (_, i) => `event-${i + 7}`));
    reopened.append([ev('after')], new Date());
    expect(bodies(reopened, 30)).toEqual(['after']);
    reopened.close();
  });

  it('cuts a torn last record on open and keeps appending after it', () => {
    const log = new FilePartitionLog('0', dir);
    log.append([ev('one'), ev('two')], new Date());
    log.close();
    const file = path.join(dir, '00000000000000000000.ndjson');
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, '{"q":2,"t":1,"k":null,"b":"thr');
    const messages: string[] = [];
    const reopened = new FilePartitionLog('0', dir, { onTruncate: (m) => messages.push(m) });
    expect(fs.statSync(file).size).toBe(whole);
    expect(messages[0]).toMatch(/torn record/);
    expect(bodies(reopened)).toEqual(['one', 'two']);
    reopened.append([ev('three')], new Date());
    expect(bodies(reopened)).toEqual(['one', 'two', 'three']);
    reopened.close();
  });

  it('refuses a damaged sealed segment', () => {
    const log = new FilePartitionLog('0', dir, { segmentBytes: 10 });
    log.append([ev('one')], new Date());
    log.append([ev('two')], new Date());
    log.close();
    fs.writeFileSync(path.join(dir, '00000000000000000000.ndjson'), 'garbage\n');
    expect(() => new FilePartitionLog('0', dir)).toThrow(/damaged/);
  });
});

describe('MemoryPartitionLog', () => {
  it('has the same read semantics', () => {
    const log = new MemoryPartitionLog('0');
    const t = new Date();
    log.append([ev('a'), ev('b'), ev('c')], t);
    expect(bodies(log, 1, 1)).toEqual(['b']);
    expect(log.nextSequenceNumber).toBe(3);
    expect(log.info().lastSequenceNumber).toBe(2);
    expect(log.sequenceNumberAt(new Date(t.getTime() + 1))).toBe(3);
  });
});
