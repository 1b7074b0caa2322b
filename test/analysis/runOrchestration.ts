import type { OrchestrationHandler } from 'durable-functions';

// The SDK's own replay entry points (not in its public types): the same code df.app.orchestration registers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const testing = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(handler: OrchestrationHandler): (input: unknown, context: unknown) => Promise<OrchestratorOutput>;
  DummyOrchestrationContext: new () => unknown;
  DurableOrchestrationInput: new (
    instanceId: string,
    history: unknown[],
    input: unknown,
    longRunning?: string,
    maxShort?: string,
    sleepMs?: number,
    schemaVersion?: number,
  ) => unknown;
};

interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: { firstRetryIntervalInMilliseconds: number; maxNumberOfAttempts: number; backoffCoefficient?: number };
  compoundActions?: Action[];
}

interface OrchestratorOutput {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  customStatus?: unknown;
  error?: string;
}

export interface Episode {
  customStatus: unknown;
  /** Leaf actions newly scheduled in this episode. */
  scheduled: { name: string; input: unknown; retryOptions?: Action['retryOptions'] }[];
}

export interface RunResult {
  output: unknown;
  episodes: Episode[];
  history: Record<string, unknown>[];
}

export type Functions = Record<string, (input: unknown) => Promise<unknown>>;

const ACTIVITY = 0;
const ACTIVITY_WITH_RETRY = 1;
const SUB_ORCHESTRATION = 2;
const TIMER_CREATED = 10;
const TIMER_FIRED = 11;
const WHEN_ANY = 11;
const WHEN_ALL = 12;

function leaves(actions: Action[], out: Action[] = []): Action[] {
  for (const a of actions) {
    if (a.actionType === WHEN_ALL || a.actionType === WHEN_ANY) leaves(a.compoundActions ?? [], out);
    else out.push(a);
  }
  return out;
}

/** What a run of one scheduled function came to: each attempt's result or error, in order. */
type Attempt = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Drives an orchestrator through the SDK's replay exactly as the extension does, episode by
 * episode: every episode replays the whole history, new actions get the next task ids, and
 * their results come back as TaskCompleted / SubOrchestrationInstanceCompleted events.
 * Activities and sub-orchestrations run in-process from `functions` (real handlers).
 * A function that throws fails its task (TaskFailed); an activity called with retry options is
 * run again up to maxNumberOfAttempts, each failure followed by a retry timer, laid out as the
 * extension does (TaskFailed, TimerCreated, TimerFired, TaskScheduled of the next attempt), with
 * the SDK's task ids: the retry timer and each new attempt take the next id in turn.
 */
export async function runOrchestration(
  handler: OrchestrationHandler,
  input: unknown,
  functions: Functions,
  options: { instanceId?: string; now?: Date; orchestrators?: Record<string, OrchestrationHandler> } = {},
): Promise<RunResult> {
  const instanceId = options.instanceId ?? 'instance-1';
  const now = (options.now ?? new Date('2025-01-02T00:00:00Z')).toISOString();
  const event = (type: number, extra: Record<string, unknown> = {}) => ({
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    Timestamp: now,
    ...extra,
  });
  const history: Record<string, unknown>[] = [
    event(12),
    event(0, {
      Name: 'orchestration',
      Input: JSON.stringify(input),
      OrchestrationInstance: { InstanceId: instanceId },
    }),
  ];
  const episodes: Episode[] = [];
  let scheduledCount = 0;
  let nextSeq = 0;
  const attempt = async (run: () => Promise<unknown>): Promise<Attempt> => {
    try {
      return { ok: true, result: await run() };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const trigger = new testing.DurableOrchestrationInput(
      instanceId,
      history.map((e) => ({ ...e, IsPlayed: false })),
      input,
      undefined,
      undefined,
      undefined,
      2,
    );
    const result = await testing.createOrchestrator(handler)(trigger, new testing.DummyOrchestrationContext());
    const all = leaves(result.actions.flat());
    const fresh = all.slice(scheduledCount);
    episodes.push({
      customStatus: result.customStatus,
      scheduled: fresh.map((a) => ({
        name: a.functionName ?? '',
        input: a.input,
        ...(a.retryOptions ? { retryOptions: a.retryOptions } : {}),
      })),
    });
    if (result.isDone) return { output: result.output, episodes, history };
    if (result.error) throw new Error(`orchestrator failed: ${result.error}`);
    if (fresh.length === 0) throw new Error('orchestrator is waiting on nothing this driver can complete');
    history.push(event(13), event(12));
    const outcomes = await Promise.all(
      fresh.map(async (action, k): Promise<Attempt[]> => {
        const name = action.functionName ?? '';
        if (action.actionType === ACTIVITY || action.actionType === ACTIVITY_WITH_RETRY) {
          const fn = functions[name];
          if (!fn) throw new Error(`no activity ${name}`);
          const max = action.actionType === ACTIVITY_WITH_RETRY ? (action.retryOptions?.maxNumberOfAttempts ?? 1) : 1;
          const attempts: Attempt[] = [];
          do attempts.push(await attempt(() => fn(action.input)));
          while (!attempts[attempts.length - 1]!.ok && attempts.length < max);
          return attempts;
        }
        if (action.actionType === SUB_ORCHESTRATION) {
          const sub = options.orchestrators?.[name];
          if (!sub) throw new Error(`no orchestrator ${name}`);
          const id = nextSeq + k;
          return [
            await attempt(
              async () =>
                (
                  await runOrchestration(sub, action.input, functions, {
                    ...options,
                    instanceId: action.instanceId ?? `${instanceId}:${id}`,
                  })
                ).output,
            ),
          ];
        }
        throw new Error(`action type ${action.actionType} is not supported by this driver`);
      }),
    );
    // Scheduling events first, then completions, as the extension appends them; retry chains take ids after the new actions.
    const firstId = nextSeq;
    nextSeq += fresh.length;
    history.push(...fresh.map((action, k) => scheduledEvent(action, firstId + k)));
    fresh.forEach((action, k) => {
      const attempts = outcomes[k]!;
      const retried = action.actionType === ACTIVITY_WITH_RETRY;
      let taskId = firstId + k;
      attempts.forEach((a, i) => {
        history.push(completedEvent(action, taskId, a));
        if (a.ok || !retried) return;
        // A failed attempt with retries: the SDK waits on a timer (next id), then, if attempts remain, schedules the next one (next id).
        const timerId = nextSeq++;
        history.push(
          event(TIMER_CREATED, { EventId: timerId, FireAt: now }),
          event(TIMER_FIRED, { TimerId: timerId, FireAt: now }),
        );
        if (i === attempts.length - 1) return;
        taskId = nextSeq++;
        history.push(scheduledEvent(action, taskId));
      });
    });
    scheduledCount = all.length;
  }
  throw new Error('orchestration did not finish');

  function scheduledEvent(action: Action, id: number): Record<string, unknown> {
    const name = action.functionName ?? '';
    return action.actionType === SUB_ORCHESTRATION
      ? event(7, { EventId: id, Name: name, InstanceId: action.instanceId })
      : event(4, { EventId: id, Name: name });
  }

  function completedEvent(action: Action, id: number, a: Attempt): Record<string, unknown> {
    const sub = action.actionType === SUB_ORCHESTRATION;
    if (a.ok) return event(sub ? 8 : 5, { TaskScheduledId: id, Result: JSON.stringify(a.result) });
    return event(sub ? 9 : 6, { TaskScheduledId: id, Reason: a.error, Details: a.error });
  }
}
