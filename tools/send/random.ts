import { gaussian as normalSource, mulberry32 } from '../../src/core/random/prng';

/** The project's one seeded PRNG (mulberry32), so generated streams are reproducible with --seed. */
export const seededRandom = mulberry32;

/** One standard normal draw (Box-Muller) from `random`. */
export function gaussian(random: () => number): number {
  return normalSource(random)();
}
