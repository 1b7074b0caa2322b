import { ActionType, EventType } from '../../../local-host/durable/runtime/eventType';
import type { HistoryEvent } from '../../../local-host/durable/types';
import { type TrappedCall, withTrappedNondeterminism } from './trap';

/** What the check needs of a recorded instance (local-host/durable InstanceRecord has it). */
export interface RecordedInstance {
  instanceId: string;
  name: string;
  /** JSON text or null. */
  input: string | null;
  history: readonly HistoryEvent[];
  parent?: { instanceId: string };
}

/** Invokes the registered orchestrator with trigger data (as the durable runtime does) and returns its state. */
export type InvokeOrchestrator = (name: string, trigger: Record<string, unknown>) => Promise<unknown>;

export interface Divergence {
  /** Position in the list of scheduled actions where they first differ. */
  index: number;
  /** 'history': the replay against what the history recorded; 'shifted': two replays at different clocks and seeds. */
  against: 'history' | 'shifted';
  expected: string | undefined;
  found: string | undefined;
}

export interface InstanceCheck {
  instanceId: string;
  name: string;
  ok: boolean;
  divergence?: Divergence;
  /** Clock and random reads the app's code made during the replays (with source lines): the likely cause. */
  calls: TrappedCall[];
  /** The orchestrator threw during the replay (itself a finding). */
  error?: string;
}

/** The shift of the second replay: days plus odd milliseconds, so a clock read lands on a different value at any rounding. */
export const SHIFT_MS = 3 * 86_400_000 + 12_345;

interface Action {
  actionType?: number;
  functionName?: string;
  input?: unknown;
  fireAt?: unknown;
  instanceId?: string;
  eventName?: string;
  compoundActions?: Action[];
  [k: string]: unknown;
}

const canonical = (v: unknown): string => {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v));
    } catch {
      return JSON.stringify(v);
    }
  }
  return JSON.stringify(v ?? null);
};

function leaves(actions: unknown, out: Action[] = []): Action[] {
  if (Array.isArray(actions)) for (const a of actions) leaves(a, out);
  else if (actions && typeof actions === 'object') {
    const a = actions as Action;
    if (Array.isArray(a.compoundActions)) leaves(a.compoundActions, out);
    else out.push(a);
  }
  return out;
}

const ACTION_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ActionType).map(([k, v]) => [v, k]));

/** One action as text, everything that must be equal across replays. */
export function describeAction(a: Action): string {
  const kind = ACTION_NAMES[a.actionType ?? -1] ?? `action${a.actionType}`;
  const parts = [
    a.functionName,
    a.input === undefined ? undefined : canonical(a.input),
    a.fireAt === undefined ? undefined : `fireAt=${String(a.fireAt)}`,
    a.eventName,
    a.instanceId,
  ];
  return `${kind}(${parts.filter((p) => p !== undefined).join(', ')})`;
}

/** Activity and sub-orchestration calls as `kind(name, input)`, each distinct one once (retries repeat them). */
type Call = { kind: 'activity' | 'sub'; name: string; input: string };

function scheduledCalls(descriptions: Call[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of descriptions) {
    const text = `${d.kind === 'activity' ? 'CallActivity' : 'CallSubOrchestrator'}(${d.name}, ${d.input})`;
    if (!seen.has(text)) out.push(text);
    seen.add(text);
  }
  return out;
}

function fromHistory(history: readonly HistoryEvent[]): string[] {
  return scheduledCalls(
    history.flatMap((e): Call[] => {
      if (e.EventType === EventType.TaskScheduled)
        return [{ kind: 'activity', name: String(e['Name']), input: canonical(e['Input']) }];
      if (e.EventType === EventType.SubOrchestrationInstanceCreated)
        return [{ kind: 'sub', name: String(e['Name']), input: canonical(e['Input']) }];
      return [];
    }),
  );
}

function fromActions(actions: Action[]): string[] {
  return scheduledCalls(
    actions.flatMap((a): Call[] => {
      const t = a.actionType;
      if (t === ActionType.CallActivity || t === ActionType.CallActivityWithRetry)
        return [{ kind: 'activity', name: String(a.functionName), input: canonical(a.input) }];
      if (t === ActionType.CallSubOrchestrator || t === ActionType.CallSubOrchestratorWithRetry)
        return [{ kind: 'sub', name: String(a.functionName), input: canonical(a.input) }];
      return [];
    }),
  );
}

function firstDifference(
  expected: readonly string[],
  found: readonly string[],
  complete: boolean,
): { index: number; expected?: string; found?: string } | undefined {
  const n = complete ? Math.max(expected.length, found.length) : Math.min(expected.length, found.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== found[i])
      return {
        index: i,
        ...(expected[i] === undefined ? {} : { expected: expected[i] }),
        ...(found[i] === undefined ? {} : { found: found[i] }),
      };
  }
  return undefined;
}

const isTerminal = (history: readonly HistoryEvent[]) =>
  history.some(
    (e) =>
      e.EventType === EventType.ExecutionCompleted ||
      e.EventType === EventType.ExecutionFailed ||
      e.EventType === EventType.ExecutionTerminated ||
      e.EventType === EventType.ContinueAsNew,
  );

/**
 * Replays one recorded instance twice through the app's registered orchestrator: once at the real clock, once with the
 * clock shifted by SHIFT_MS and another Math.random seed. Reports the first difference between the replay's scheduled
 * activity/sub-orchestration calls and the history's, or between the two replays' full action lists (timers included),
 * with the clock and random reads the app's code made (their source lines).
 */
export async function checkInstance(instance: RecordedInstance, invoke: InvokeOrchestrator): Promise<InstanceCheck> {
  const history = instance.history.map((e) => ({ ...e, IsPlayed: true }));
  const trigger = {
    history,
    input: instance.input === null ? undefined : JSON.parse(instance.input),
    instanceId: instance.instanceId,
    isReplaying: true,
    parentInstanceId: instance.parent?.instanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  const replay = (clockShiftMs: number, randomSeed: number) =>
    withTrappedNondeterminism({ clockShiftMs, randomSeed }, async () =>
      leaves((((await invoke(instance.name, structuredClone(trigger))) ?? {}) as { actions?: unknown }).actions),
    );
  const base = { instanceId: instance.instanceId, name: instance.name };
  let a: Awaited<ReturnType<typeof replay>>;
  let b: Awaited<ReturnType<typeof replay>>;
  try {
    a = await replay(0, 1);
    b = await replay(SHIFT_MS, 2);
  } catch (e) {
    return { ...base, ok: false, calls: [], error: e instanceof Error ? e.message : String(e) };
  }
  const calls = [...a.calls, ...b.calls].filter((c) => c.site !== undefined);
  const uniqueCalls = calls.filter((c, i) => calls.findIndex((d) => d.site === c.site && d.what === c.what) === i);
  const recorded = fromHistory(instance.history);
  const complete = isTerminal(instance.history);
  for (const [run, against] of [
    [b.result, 'history'],
    [a.result, 'history'],
  ] as const) {
    const diff = firstDifference(recorded, fromActions(run), complete);
    if (diff)
      return {
        ...base,
        ok: false,
        calls: uniqueCalls,
        divergence: { against, index: diff.index, expected: diff.expected, found: diff.found },
      };
  }
  const diff = firstDifference(a.result.map(describeAction), b.result.map(describeAction), true);
  if (diff)
    return {
      ...base,
      ok: false,
      calls: uniqueCalls,
      divergence: { against: 'shifted', index: diff.index, expected: diff.expected, found: diff.found },
    };
  return { ...base, ok: true, calls: uniqueCalls };
}

/** One line per failed check: what diverged where, and the source lines of the clock/random reads. */
export function describeCheck(c: InstanceCheck): string {
  if (c.ok) return `orchestrator '${c.name}' (instance ${c.instanceId}): deterministic`;
  const sites = c.calls.map((x) => `${x.what} at ${x.site}`).join('; ');
  const cause = sites ? ` — non-deterministic call(s): ${sites}` : '';
  if (c.error !== undefined)
    return `orchestrator '${c.name}' (instance ${c.instanceId}) threw during replay: ${c.error}${cause}`;
  const d = c.divergence!;
  const what =
    d.against === 'history'
      ? 'the replay schedules other calls than the history recorded'
      : `a replay ${SHIFT_MS} ms later with another random seed schedules other actions`;
  return `orchestrator '${c.name}' (instance ${c.instanceId}) is not deterministic: ${what}; first difference at action #${d.index}: expected ${d.expected ?? '(nothing)'}, found ${d.found ?? '(nothing)'}${cause}`;
}
