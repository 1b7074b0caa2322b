import type { IngestDeps } from './ingest';
import { defaultProcess } from './ingestPoison';

/**
 * Fault injection for the chaos suite (`npm run chaos`, test/chaos) — for tests only, off unless the setting is set.
 *
 * `STREAMFOLD_FAULTS` lists fault points as `point:count` or `point:count@after`, comma-separated, e.g.
 * `deadLetterWrite:1,signal:1@200`: after `after` successful calls (default 0) the next `count` calls of that point fail
 * with a transient-looking error (InjectedFault: status 503), then the point works again. Points:
 * - `deadLetterWrite`: ingest's write of a batch's dead letters (stores.deadLetters.add);
 * - `signal`: one entity signal from ingest (merge or commit);
 * - `poisonEvent`: one run of the core (processBatch) on events of which one or more holds the text
 *   {@link POISON_MARKER}; it throws a plain Error (a bug in the pipeline, not a storage fault: ingest's bisection
 *   isolates such events as `poison`, src/functions/ingestPoison.ts). Only runs holding the marker count as calls, so
 *   `poisonEvent:1000000` makes every marked event throw.
 * Every injected failure is logged as `fault injected: <point> (<n> of <count>)` so a harness can count them.
 */
export const FAULTS_SETTING = 'STREAMFOLD_FAULTS';

export const FAULT_POINTS = ['deadLetterWrite', 'signal', 'poisonEvent'] as const;

/** The text in an event body that the `poisonEvent` point throws on. */
export const POISON_MARKER = '"streamfoldPoison":true';

/** What the `poisonEvent` point throws: no status, no code, like an exception in the pipeline's own code. */
export class InjectedPoison extends Error {
  override readonly name = 'InjectedPoison';
  constructor() {
    super(`injected poison event: the pipeline threw on an event holding ${POISON_MARKER} (${FAULTS_SETTING})`);
  }
}

const holdsMarker = (body: unknown): boolean =>
  body instanceof Uint8Array
    ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(POISON_MARKER)
    : typeof body === 'string' && body.includes(POISON_MARKER);
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface FaultRule {
  /** Calls that fail, once `after` calls have succeeded. */
  count: number;
  after: number;
}

export type FaultPlan = ReadonlyMap<FaultPoint, FaultRule>;

/** What an injected failure throws: shaped like a storage 503 (statusCode, code) so ingest treats it as transient. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
  readonly statusCode = 503;
  readonly code = 'ServiceUnavailable';
  constructor(readonly point: FaultPoint) {
    super(`injected transient fault at ${point} (${FAULTS_SETTING})`);
  }
}

/** Parses the setting; empty or unset is no faults. A malformed entry throws naming it and the expected form. */
export function parseFaultPlan(text: string | undefined): FaultPlan {
  const plan = new Map<FaultPoint, FaultRule>();
  for (const entry of (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const m = /^([A-Za-z]+):(\d{1,9})(?:@(\d{1,9}))?$/.exec(entry);
    const point = m?.[1] as FaultPoint | undefined;
    if (!m || !point || !FAULT_POINTS.includes(point)) {
      throw new Error(
        `${FAULTS_SETTING}: expected entries like "deadLetterWrite:1" or "signal:1@200" (points: ${FAULT_POINTS.join(', ')}), found ${JSON.stringify(entry)}`,
      );
    }
    if (plan.has(point)) throw new Error(`${FAULTS_SETTING}: expected each point once, found ${point} twice`);
    plan.set(point, { count: Number(m[2]), after: m[3] === undefined ? 0 : Number(m[3]) });
  }
  return plan;
}

/** Decides call by call whether a point fails now; `log` hears about every injected failure. */
export class FaultInjector {
  private readonly calls = new Map<FaultPoint, number>();

  constructor(
    private readonly plan: FaultPlan,
    private readonly log: (message: string) => void,
  ) {}

  get active(): boolean {
    return [...this.plan.values()].some((r) => r.count > 0);
  }

  /** Throws InjectedFault when this call of `point` is one the plan fails. */
  check(point: FaultPoint): void {
    if (this.fires(point)) throw new InjectedFault(point);
  }

  /** Whether this call of `point` is one the plan fails (logged when it is). */
  fires(point: FaultPoint): boolean {
    const rule = this.plan.get(point);
    if (!rule) return false;
    const call = (this.calls.get(point) ?? 0) + 1;
    this.calls.set(point, call);
    const n = call - rule.after;
    if (n >= 1 && n <= rule.count) {
      this.log(`fault injected: ${point} (${n} of ${rule.count})`);
      return true;
    }
    return false;
  }
}

/**
 * Wraps ingest's dead-letter store and signal with the faults `STREAMFOLD_FAULTS` asks for; returns `deps` itself when
 * it asks for none, so production pays nothing.
 */
export function withInjectedFaults(
  deps: IngestDeps,
  setting: string | undefined = process.env[FAULTS_SETTING],
  log: (message: string) => void = (m) => console.warn(m),
): IngestDeps {
  const faults = new FaultInjector(parseFaultPlan(setting), log);
  if (!faults.active) return deps;
  log(`${FAULTS_SETTING} is set (${setting}): ingest will fail on purpose. For tests only.`);
  const deadLetters = deps.stores.deadLetters;
  return {
    ...deps,
    stores: {
      ...deps.stores,
      deadLetters: {
        add: async (records) => {
          faults.check('deadLetterWrite');
          return deadLetters.add(records);
        },
        query: (options) => deadLetters.query(options),
        purge: (before, limit) => deadLetters.purge(before, limit),
        deleteStream: (pipeline, stream, limit) => deadLetters.deleteStream(pipeline, stream, limit),
        markReplayed: (records, replay) => deadLetters.markReplayed(records, replay),
        withdraw: (keys) => deadLetters.withdraw(keys),
      },
    },
    signal: async (context, entity, operation) => {
      faults.check('signal');
      return deps.signal(context, entity, operation);
    },
    processBatch: (input) => {
      if (input.bodies.some(holdsMarker) && faults.fires('poisonEvent')) throw new InjectedPoison();
      return (deps.processBatch ?? defaultProcess)(input);
    },
  };
}
