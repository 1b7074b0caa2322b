import { chunk, CHUNK_SIZE, GROUP_CHUNKS, planChunks, SUB_ORCHESTRATION_THRESHOLD } from './plan';

describe('plan', () => {
  it('chunks evenly with a short tail', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow('expected a positive integer size, found 0');
  });

  it('groups into sub-orchestrations only above the threshold', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
    const small = planChunks(names(SUB_ORCHESTRATION_THRESHOLD));
    expect(small.groups).toBeNull();
    expect(small.chunks).toHaveLength(SUB_ORCHESTRATION_THRESHOLD / CHUNK_SIZE);
    const big = planChunks(names(1234));
    expect(big.chunks.flat()).toEqual(names(1234));
    expect(big.groups!.every((g) => g.length <= GROUP_CHUNKS)).toBe(true);
    expect(big.groups!.flat(2)).toEqual(names(1234));
  });
});
