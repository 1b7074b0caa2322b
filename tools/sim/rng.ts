import { mulberry32 } from '../../src/core/random/prng';

/** FNV-1a of a label, to derive independent streams from one seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The simulator's only source of randomness: every decision (workload, schedule, faults) comes from a stream forked
 * off the run's seed by a label, so changing how one part draws never shifts another part's choices.
 */
export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed >>> 0);
  }
  fork(label: string): Rng {
    return new Rng(hash(`${this.seed}:${label}`));
  }
  float(): number {
    return this.next();
  }
  /** 0 <= n < max. */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: expected a non-empty list');
    return items[this.int(items.length)] as T;
  }
  /** An index drawn with the given weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}
