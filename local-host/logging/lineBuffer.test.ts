import { createLineBuffer } from './lineBuffer';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createLineBuffer', () => {
  it('writes the lines of one event-loop turn with one call, each ending in a newline', async () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((text) => writes.push(text));
    buffer.write('a');
    buffer.write('b');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\n']);
    buffer.write('c');
    await nextTurn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('flush writes what is queued at once and nothing twice', async () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((text) => writes.push(text));
    buffer.write('x');
    buffer.flush();
    expect(writes).toEqual(['x\n']);
    buffer.flush();
    await nextTurn();
    expect(writes).toEqual(['x\n']);
  });
});
