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
    await Promise.all([1, 2, 3].map((n) => store.set('$Default', '0', { sequenceNumber: n, offset: String(n * 10), updatedAt: 'x' })));
    await store.set('other/group', '1', { sequenceNumber: 9, offset: '90', updatedAt: 'y' });
    const fresh = new FileCheckpointStore(dir);
    expect(fresh.get('$Default', '0')).toEqual({ sequenceNumber: 3, offset: '30', updatedAt: 'x' });
    expect(fresh.get('other/group', '1')?.sequenceNumber).toBe(9);
    expect(fresh.get('$Default', '1')).toBeUndefined();
    expect(fs.readdirSync(path.join(dir, '%24Default'))).toEqual(['0.json']);
  });

  it('is in place when set resolves, and syncs to disk in the background, coalescing what is renamed meanwhile', async () => {
    const store = new FileCheckpointStore(dir);
    const file = path.join(dir, '%24Default', '0.json');
    const opened: string[] = [];
    const realOpen = fs.promises.open.bind(fs.promises);
    const spy = jest.spyOn(fs.promises, 'open').mockImplementation((target, flags) => {
      opened.push(String(target));
      return realOpen(target, flags);
    });
    try {
      for (const n of [1, 2, 3, 4]) {
        await store.set('$Default', '0', { sequenceNumber: n, offset: String(n), updatedAt: '' });
        // What a process started now would resume from.
        expect(new FileCheckpointStore(dir).get('$Default', '0')?.sequenceNumber).toBe(n);
      }
      await store.flush();
      // The first set started a sync round; the three renamed while it ran share the next one.
      expect(opened.filter((f) => f === file)).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a checkpoint that cannot be written, keeps reporting the old one, and reports a failed sync on flush', async () => {
    const store = new FileCheckpointStore(dir);
    await store.set('g', '0', { sequenceNumber: 1, offset: '1', updatedAt: '' });
    await store.flush();
    // A non-empty folder where the checkpoint file goes: the rename fails.
    const file = path.join(dir, 'g', '0.json');
    fs.rmSync(file);
    fs.mkdirSync(path.join(file, 'x'), { recursive: true });
    await expect(store.set('g', '0', { sequenceNumber: 2, offset: '2', updatedAt: '' })).rejects.toThrow(/0\.json/);
    expect(store.get('g', '0')?.sequenceNumber).toBe(1);
    fs.rmSync(file, { recursive: true });
    const sync = jest.spyOn(fs.promises, 'open').mockRejectedValueOnce(new Error('I/O error'));
    try {
      await store.set('g', '0', { sequenceNumber: 3, offset: '3', updatedAt: '' });
      await expect(store.flush()).rejects.toThrow('I/O error');
      await expect(store.flush()).resolves.toBeUndefined();
    } finally {
      sync.mockRestore();
    }
    expect(new FileCheckpointStore(dir).get('g', '0')?.sequenceNumber).toBe(3);
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
