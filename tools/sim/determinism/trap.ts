import { relative, sep } from 'node:path';
import { runInThisContext } from 'node:vm';

import { mulberry32 } from '../../../src/core/random/prng';

/** One read of the clock or a random source while trapped, with the app's source line that made it. */
export interface TrappedCall {
  what: 'Date.now()' | 'new Date()' | 'Date()' | 'Math.random()' | 'crypto.randomUUID()' | 'performance.now()';
  /** `file:line:column` of the first stack frame in the app's own code (source-mapped when maps are enabled). */
  site: string | undefined;
}

export interface TrapOptions {
  /** Added to the clock the trapped code reads (a replay "later"). */
  clockShiftMs: number;
  /** Seed of the Math.random the trapped code gets. */
  randomSeed: number;
}

/** Frames of these folders are the machinery (SDK, host, this tool), never the app's offending line. */
const MACHINERY = [`${sep}node_modules${sep}`, `${sep}local-host${sep}`, `${sep}tools${sep}sim${sep}`];

/** The first frame of `stack` in the app's own code, as a path relative to the working directory. */
export function appSiteOf(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:[A-Za-z]:)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m || !m[1]) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.startsWith('node:') || !file.includes(sep) || MACHINERY.some((d) => file.includes(d))) continue;
    return `${relative(process.cwd(), file)}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/**
 * Runs `fn` with Date.now, `new Date()`, `Date()`, Math.random, crypto.randomUUID and performance.now replaced by
 * recording versions: the clock shifted by `clockShiftMs`, randomness from `randomSeed`. Used to replay an
 * orchestrator "at another time with other luck": a deterministic one schedules the same actions regardless. Not
 * re-entrant; everything is restored when `fn` settles.
 */
export async function withTrappedNondeterminism<T>(
  options: TrapOptions,
  fn: () => Promise<T>,
): Promise<{ result: T; calls: TrappedCall[] }> {
  const calls: TrappedCall[] = [];
  const note = (what: TrappedCall['what']) => calls.push({ what, site: appSiteOf(new Error().stack) });
  const random = mulberry32(options.randomSeed);
  // The app may run in another realm than this module (under jest, modules Node loads itself see the main context's
  // globals): trap both.
  const realms = [...new Set([globalThis, runInThisContext('globalThis') as typeof globalThis])];
  const restores = realms.map((g) => trapRealm(g, options, random, note));
  try {
    const result = await fn();
    return { result, calls };
  } finally {
    for (const restore of restores) restore();
  }
}

/** Replaces the clock and random sources of one realm's globals; returns the undo. */
function trapRealm(
  g: typeof globalThis,
  options: TrapOptions,
  random: () => number,
  note: (what: TrappedCall['what']) => void,
): () => void {
  const RealDate = g.Date;
  const realNow = RealDate.now;
  const realRandom = g.Math.random;
  const crypto = g.crypto as { randomUUID?: () => string } | undefined;
  const realUuid = crypto?.randomUUID;
  const perf = g.performance;
  const realPerfNow = perf.now;
  const shiftedNow = () => realNow.call(RealDate) + options.clockShiftMs;
  const TrappedDate = new Proxy(RealDate, {
    construct(target, args: unknown[], newTarget) {
      if (args.length === 0) {
        note('new Date()');
        return Reflect.construct(target, [shiftedNow()], newTarget);
      }
      return Reflect.construct(target, args, newTarget);
    },
    apply() {
      note('Date()');
      return new RealDate(shiftedNow()).toString();
    },
    get(target, prop, receiver) {
      if (prop === 'now') {
        return () => {
          note('Date.now()');
          return shiftedNow();
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  g.Date = TrappedDate;
  g.Math.random = () => {
    note('Math.random()');
    return random();
  };
  if (crypto && realUuid) {
    crypto.randomUUID = () => {
      note('crypto.randomUUID()');
      const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    };
  }
  perf.now = () => {
    note('performance.now()');
    return realPerfNow.call(perf) + options.clockShiftMs;
  };
  return () => {
    g.Date = RealDate;
    g.Math.random = realRandom;
    if (crypto && realUuid) crypto.randomUUID = realUuid;
    perf.now = realPerfNow;
  };
}
