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
  scheduled: { name: string; input: unknown }[];
}

export interface RunResult {
  output: unknown;
  episodes: Episode[];
  history: Record<string, unknown>[];
}

export type Functions = Record<string, (input: unknown) => Promise<unknown>>;

const ACTIVITY = 0;
const SUB_ORCHESTRATION = 2;
const WHEN_ANY = 11;
const WHEN_ALL = 12;

function leaves(actions: Action[], out: Action[] = []): Action[] {
  for (const a of actions) {
    if (a.actionType === WHEN_ALL || a.actionType === WHEN_ANY) leaves(a.compoundActions ?? [], out);
    else out.push(a);
  }
  return out;
}

/**
 * Drives an orchestrator through the SDK's replay exactly as the extension does, episode by
 * episode: every episode replays the whole history, new actions get the next task ids, and
 * their results come back as TaskCompleted / SubOrchestrationInstanceCompleted events.
 * Activities and sub-orchestrations run in-process from `functions` (real handlers).
 */
export async function runOrchestration(
  handler: OrchestrationHandler,
  input: unknown,
  functions: Functions,
  options: { instanceId?: string; now?: Date; orchestrators?: Record<string, OrchestrationHandler> } = {},
): Promise<RunResult> {
  const instanceId = options.instanceId ?? 'instance-1';
  const now = (options.now ?? new Date('2025-01-02T00:00:00Z')).toISOString();
  const event = (type: number, extra: Record<string, unknown> = {}) => ({ EventType: type, EventId: -1, IsPlayed: false, Timestamp: now, ...extra });
  const history: Record<string, unknown>[] = [event(12), event(0, { Name: 'orchestration', Input: JSON.stringify(input), OrchestrationInstance: { InstanceId: instanceId } })];
  const episodes: Episode[] = [];
  let scheduledCount = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const trigger = new testing.DurableOrchestrationInput(instanceId, history.map((e) => ({ ...e, IsPlayed: false })), input, undefined, undefined, undefined, 2);
    const result = await testing.createOrchestrator(handler)(trigger, new testing.DummyOrchestrationContext());
    const all = leaves(result.actions.flat());
    const fresh = all.slice(scheduledCount);
    episodes.push({ customStatus: result.customStatus, scheduled: fresh.map((a) => ({ name: a.functionName ?? '', input: a.input })) });
    if (result.isDone) return { output: result.output, episodes, history };
    if (result.error) throw new Error(`orchestrator failed: ${result.error}`);
    if (fresh.length === 0) throw new Error('orchestrator is waiting on nothing this driver can complete');
    history.push(event(13), event(12));
    const completions = await Promise.all(
      fresh.map(async (action, k) => {
        const id = scheduledCount + k;
        const name = action.functionName ?? '';
        if (action.actionType === ACTIVITY) {
          const fn = functions[name];
          if (!fn) throw new Error(`no activity ${name}`);
          return [event(4, { EventId: id, Name: name }), event(5, { TaskScheduledId: id, Result: JSON.stringify(await fn(action.input)) })];
        }
        if (action.actionType === SUB_ORCHESTRATION) {
          const sub = options.orchestrators?.[name];
          if (!sub) throw new Error(`no orchestrator ${name}`);
          const child = await runOrchestration(sub, action.input, functions, { ...options, instanceId: action.instanceId ?? `${instanceId}:${id}` });
          return [event(7, { EventId: id, Name: name, InstanceId: action.instanceId }), event(8, { TaskScheduledId: id, Result: JSON.stringify(child.output) })];
        }
        throw new Error(`action type ${action.actionType} is not supported by this driver`);
      }),
    );
    // Scheduling events first, then completions, as the extension appends them.
    history.push(...completions.map((c) => c[0]!), ...completions.map((c) => c[1]!));
    scheduledCount = all.length;
  }
  throw new Error('orchestration did not finish');
}
