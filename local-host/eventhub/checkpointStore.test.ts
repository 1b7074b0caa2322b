import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { FileCheckpointStore, MemoryCheckpointStore } from './checkpointStore';

describe('FileCheckpointStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ehcp-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('persists the latest checkpoint per group and partition', async () => {
    const store = new FileCheckpointStore(dir);
    expect(store.get('$Default', '0')).toBeUndefined();
    await Promise.all(
      [1, 2, 3].map((n) => store.set('$Default', '0', { sequenceNumber: n, offset: String(n * 10), updatedAt: 'x' })),
    );
    await store.set('other/group', '1', { sequenceNumber: 9, offset: '90', updatedAt: 'y' });
    const fresh = new FileCheckpointStore(dir);
    expect(fresh.get('$Default', '0')).toEqual({ sequenceNumber: 3, offset: '30', updatedAt: 'x' });
    expect(fresh.get('other/group', '1')?.sequenceNumber).toBe(9);
    expect(fresh.get('$Default', '1')).toBeUndefined();
    expect(fs.readdirSync(path.join(dir, '%24Default'))).toEqual(['0.json']);
  });

  it('names the file when a checkpoint is not one', () => {
    fs.mkdirSync(path.join(dir, 'g'));
    fs.writeFileSync(path.join(dir, 'g', '0.json'), '{"nope":1}');
    expect(() => new FileCheckpointStore(dir).get('g', '0')).toThrow(/0\.json should hold/);
  });
});

describe('MemoryCheckpointStore', () => {
  it('keeps checkpoints per group and partition', async () => {
    const store = new MemoryCheckpointStore();
    await store.set('a', '0', { sequenceNumber: 1, offset: '1', updatedAt: '' });
    expect(store.get('a', '0')?.sequenceNumber).toBe(1);
    expect(store.get('b', '0')).toBeUndefined();
  });
});
