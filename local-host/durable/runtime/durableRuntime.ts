import { randomUUID } from 'node:crypto';

import { fromRpcTypedData } from '../../converters/fromRpcTypedData';
import { describeError, ensureError } from '../../errors';
import type { HostFunction, HostLogger, InvokeRequest, InvokeResult } from '../../extension';
import type {
  ActivityMessage,
  Commit,
  DurableStore,
  EntityOperationMessage,
  HistoryEvent,
  InstanceRecord,
  OrchestrationMessage,
  StoredMessage,
} from '../types';
import { terminalStatuses } from '../types';
import { entityBatchCommit, entityBatchInput } from './applyEntityResult';
import { applyOrchestratorResult, type OrchestratorOutcome } from './applyOrchestratorResult';
import { EventType } from './eventType';
import { historyEvent } from './historyEvent';
import { newInstance } from './newInstance';
import { newMessage } from './newMessage';
import { activityFailure, orchestratorFailure } from './orchestratorFailure';
import { planEpisode } from './planEpisode';
import { terminationCommit } from './terminationCommit';
import { parseJsonText } from './textOf';
import { WorkQueue } from './workQueue';

/** Longest single wait for a delayed message; the runtime re-arms after it. */
const maxTimerWaitMs = 60_000;

/**
 * Work items in flight at once by default. Most of a work item's time is the app awaiting I/O (an entity saving
 * closed windows to Table storage, an activity reading tables), not CPU, so a small limit only queues work: in
 * `npm run bench:e2e` at ~18k events/s, 32 in flight gave send-to-visible p50 1.0-1.6 s and p99 2.1-2.8 s, 256 gave
 * p50 0.6 s and p99 1.1-1.2 s with the same CPU per event (8 gave p50 4.5-6.4 s).
 */
const defaultConcurrency = 256;

export interface DurableRuntimeOptions {
  store: DurableStore;
  functions: readonly HostFunction[];
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  logger: HostLogger;
  /** Work items (activities, orchestration episodes, entity batches) in flight at once. */
  concurrency?: number;
  /** Most operations one entity invocation handles. */
  maxEntityBatch?: number;
  now?: () => number;
}

/**
 * The durable task work loop: persisted messages are processed with bounded parallelism, one target
 * (orchestration instance, entity, activity work item) at a time, and every unit of work commits its
 * state, its outgoing messages and the removal of what it consumed in one store commit.
 */
export class DurableRuntime {
  readonly store: DurableStore;
  private readonly queue = new WorkQueue();
  private readonly byTrigger: Map<string, Map<string, HostFunction>>;
  private readonly concurrency: number;
  private readonly maxEntityBatch: number;
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private running = false;
  /** Set by crash(): from then on nothing is committed, as after a killed process. */
  private crashed = false;
  private idCounter = 0;
  private readonly idPrefix = randomUUID().slice(0, 8);
  private readonly warnedRelisting = new Set<string>();
  /**
   * Writes waiting for the next write-behind flush: every API signal and entity batch result of an
   * event-loop turn lands in one store transaction (the per-transaction cost dominated one commit each).
   * Only commits that touch messages and entities are queued: those of different targets never overlap.
   */
  private pendingWrites: { commit: Commit; target?: string; resolve: () => void; reject: (err: unknown) => void }[] =
    [];
  private writeFlush: NodeJS.Immediate | undefined;

  constructor(private readonly options: DurableRuntimeOptions) {
    this.store = options.store;
    this.concurrency = options.concurrency ?? defaultConcurrency;
    this.maxEntityBatch = options.maxEntityBatch ?? 1000;
    this.now = options.now ?? Date.now;
    this.byTrigger = new Map();
    for (const fn of options.functions) {
      const type = fn.trigger.type;
      let map = this.byTrigger.get(type);
      if (!map) this.byTrigger.set(type, (map = new Map()));
      map.set(fn.name.toLowerCase(), fn);
    }
  }

  readonly newId = (): string => `${this.idPrefix}-${(this.idCounter++).toString(36)}`;

  findFunction(triggerType: string, name: string): HostFunction | undefined {
    return this.byTrigger.get(triggerType)?.get(name.toLowerCase());
  }

  /** Loads persisted messages and starts processing (resumes work left by a previous run). */
  start(): void {
    this.running = true;
    const now = this.now();
    const messages = this.store.loadMessages();
    for (const m of messages) this.queue.add(m, now);
    this.options.logger.debug(`durable: resumed ${messages.length} persisted messages`);
    this.schedulePromote();
    this.pump();
  }

  async stop(): Promise<void> {
    // A crashed runtime's work in flight never finishes (its writes never settle): there is nothing to wait for.
    if (this.crashed) return;
    // Writes already queued (API signals, entity batch results) still get persisted: their callers wait for them.
    this.flushWrites();
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Stops as a killed process would (the simulator, tools/sim): queued writes are dropped, work in flight runs on but
   * commits nothing and its write waits never settle, timers stop. The store keeps exactly what was committed before,
   * so a new runtime on the same store resumes from there, redoing the lost work items.
   */
  crash(): void {
    this.crashed = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writeFlush) clearImmediate(this.writeFlush);
    this.writeFlush = undefined;
    this.pendingWrites = [];
  }

  /** Promotes messages whose delay passed by `now()` and pumps: for an injected clock that jumps (the simulator). */
  poke(): void {
    this.schedulePromote();
    this.pump();
  }

  /** Work items claimed and not finished, plus messages waiting: 0 when the runtime is idle (for now()). */
  get busy(): number {
    return this.inFlight.size + this.pendingWrites.length;
  }

  /** Commits and feeds the new messages to the work loop. */
  commit(commit: Commit): void {
    if (this.crashed) return;
    // Writes queued earlier go first, so a later write never overtakes them (per-entity order is kept).
    this.flushWrites(false);
    this.store.commit(commit);
    const now = this.now();
    if (commit.deleteMessages?.length) {
      // Deleted messages belong to the target being processed; the caller removes them from the queue.
    }
    for (const m of commit.addMessages ?? []) this.queue.add(m, now);
    this.schedulePromote();
    this.pump();
  }

  /** Creates an orchestration instance (client startNew). */
  startOrchestration(name: string, instanceId: string, input: string | null): InstanceRecord {
    const { record, message } = newInstance({ instanceId, name, input, now: this.now() }, this.newId);
    this.commit({ putInstances: [record], addMessages: [message] });
    return record;
  }

  sendToOrchestration(body: OrchestrationMessage): void {
    this.commit({ addMessages: [newMessage(this.newId(), body)] });
  }

  signalEntity(entityId: string, operation: string, input: string | null): void {
    this.commit({
      addMessages: [
        newMessage(this.newId(), {
          kind: 'entity',
          entityId,
          operation,
          input,
          isSignal: true,
          requestId: this.newId(),
        }),
      ],
    });
  }

  /**
   * Like signalEntity, but the signals of one event-loop turn share one store transaction. Resolves once
   * the signal is persisted, so a caller that acknowledges after it (the HTTP API's 202) still means "stored".
   */
  signalEntityBatched(entityId: string, operation: string, input: string | null): Promise<void> {
    const message = newMessage(this.newId(), {
      kind: 'entity',
      entityId,
      operation,
      input,
      isSignal: true,
      requestId: this.newId(),
    });
    return this.writeBehind({ addMessages: [message] });
  }

  /** Queues a messages-and-entities commit for this turn's shared transaction; resolves once it committed. */
  private writeBehind(commit: Commit, target?: string): Promise<void> {
    // After a crash the write is lost and its caller never hears back, like a killed process's.
    if (this.crashed) return new Promise<void>(() => {});
    return new Promise<void>((resolve, reject) => {
      this.pendingWrites.push({ commit, ...(target === undefined ? {} : { target }), resolve, reject });
      this.writeFlush ??= setImmediate(() => this.flushWrites());
    });
  }

  /** Persists the queued writes in one transaction, feeds their messages to the work loop and settles their callers. */
  private flushWrites(pump = true): void {
    if (this.crashed) return;
    if (this.writeFlush) clearImmediate(this.writeFlush);
    this.writeFlush = undefined;
    const batch = this.pendingWrites;
    if (batch.length === 0) return;
    this.pendingWrites = [];
    const merged: Required<Pick<Commit, 'deleteMessages' | 'addMessages' | 'putEntities' | 'deleteEntities'>> = {
      deleteMessages: [],
      addMessages: [],
      putEntities: [],
      deleteEntities: [],
    };
    for (const { commit } of batch) {
      merged.deleteMessages.push(...(commit.deleteMessages ?? []));
      merged.addMessages.push(...(commit.addMessages ?? []));
      merged.putEntities.push(...(commit.putEntities ?? []));
      merged.deleteEntities.push(...(commit.deleteEntities ?? []));
    }
    try {
      this.store.commit(merged);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const now = this.now();
    for (const m of merged.addMessages) this.queue.add(m, now);
    for (const p of batch) if (p.target !== undefined) this.queue.remove(p.commit.deleteMessages ?? [], p.target);
    for (const p of batch) p.resolve();
    // Inside commit() the caller pumps once its own write landed.
    if (!pump) return;
    this.schedulePromote();
    this.pump();
  }

  get pendingMessages(): number {
    return this.queue.size;
  }

  private schedulePromote(): void {
    if (!this.running) return;
    const next = this.queue.promote(this.now());
    if (next === undefined) return;
    if (this.timer && this.timerAt !== undefined && this.timerAt <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.schedulePromote();
        this.pump();
      },
      // Capped: setTimeout turns anything over ~24.8 days into 1 ms (a busy loop), and a short cap also
      // catches up with wall-clock time after the machine slept.
      Math.min(maxTimerWaitMs, Math.max(0, next - this.now())),
    );
  }

  private pump(): void {
    while (this.running && this.inFlight.size < this.concurrency) {
      const claim = this.queue.take(this.maxEntityBatch);
      if (!claim) return;
      const work = this.process(claim.target, claim.messages).then(
        (park) => {
          this.queue.release(claim.target, park);
        },
        (err: unknown) => {
          this.options.logger.error(
            `durable: processing ${claim.target} failed, retrying in 1s: ${describeError(err)}`,
          );
          this.queue.retryLater(claim.target);
          setTimeout(() => {
            this.queue.markReady(claim.target);
            this.pump();
          }, 1000).unref();
        },
      );
      const tracked = work.finally(() => {
        this.inFlight.delete(tracked);
        this.pump();
      });
      this.inFlight.add(tracked);
    }
  }

  /** Returns true to park the target (suspended orchestration). */
  private async process(target: string, messages: StoredMessage[]): Promise<boolean> {
    const first = messages[0]?.body;
    if (!first) return false;
    if (first.kind === 'activity') {
      await this.runActivity(messages[0] as StoredMessage & { body: ActivityMessage });
      return false;
    }
    if (first.kind === 'entity') {
      await this.runEntityBatch(
        target,
        first.entityId,
        messages as (StoredMessage & { body: EntityOperationMessage })[],
      );
      return false;
    }
    return this.runOrchestration(
      target,
      first.instanceId,
      messages as (StoredMessage & { body: OrchestrationMessage })[],
    );
  }

  private finish(target: string, commit: Commit): void {
    this.commit(commit);
    this.queue.remove(commit.deleteMessages ?? [], target);
  }

  private async runActivity(message: StoredMessage & { body: ActivityMessage }): Promise<void> {
    const body = message.body;
    const fn = this.findFunction('activityTrigger', body.name);
    let event: OrchestrationMessage['event'];
    if (!fn) {
      event = {
        EventType: EventType.TaskFailed,
        TaskScheduledId: body.taskId,
        ...activityFailure(new Error(`No activity function named '${body.name}' is registered`)),
      };
    } else {
      try {
        const result = await this.options.invoke({
          functionName: fn.name,
          triggerData: { string: body.input },
          triggerMetadata: { instanceId: { string: body.instanceId } },
        });
        const value = fromRpcTypedData(result.returnValue);
        event = {
          EventType: EventType.TaskCompleted,
          TaskScheduledId: body.taskId,
          Result: value === undefined ? 'null' : JSON.stringify(value),
        };
      } catch (err) {
        event = { EventType: EventType.TaskFailed, TaskScheduledId: body.taskId, ...activityFailure(err) };
      }
    }
    this.finish(message.target, {
      deleteMessages: [message.id],
      addMessages: [
        newMessage(this.newId(), {
          kind: 'orchestration',
          instanceId: body.instanceId,
          executionId: body.executionId,
          event,
        }),
      ],
    });
  }

  private async runEntityBatch(
    target: string,
    entityId: string,
    messages: (StoredMessage & { body: EntityOperationMessage })[],
  ): Promise<void> {
    const { name } = { name: entityId.substring(1, entityId.indexOf('@', 1)) };
    const fn = this.findFunction('entityTrigger', name);
    const record = this.store.getEntity(entityId);
    let output: Parameters<typeof entityBatchCommit>[2];
    if (!fn) {
      output = { error: `No entity function named '${name}' is registered` };
      this.options.logger.error(`durable: ${output.error}; dropping ${messages.length} operations for ${entityId}`);
    } else {
      try {
        const input = entityBatchInput(
          entityId,
          record,
          messages.map((m) => m.body),
        );
        const result = await this.options.invoke({
          functionName: fn.name,
          triggerData: { string: JSON.stringify(input) },
        });
        output = (fromRpcTypedData(result.returnValue) ?? {}) as Parameters<typeof entityBatchCommit>[2];
      } catch (err) {
        output = { error: ensureError(err).message };
        this.options.logger.error(`durable: entity ${entityId} batch failed: ${output.error}`);
      }
    }
    this.options.logger.debug(`durable: entity ${entityId} processed ${messages.length} operations`);
    if (!('error' in output)) {
      output.results?.forEach((r, i) => {
        if (!r?.isError) return;
        // durable-functions reports a thrown error as JSON.stringify(error), usually '{}': name the operation at least.
        this.options.logger.warn(
          `durable: entity ${entityId} operation '${messages[i]?.body.operation ?? '?'}' failed (reported as ${r.result ?? 'nothing'}); ` +
            'the caller gets an Error without the message. Entities should validate and return rather than throw.',
        );
      });
    }
    const commit = entityBatchCommit(entityId, messages, output, this.now(), this.newId);
    // The target stays claimed until this resolves, so its next batch reads the state written here.
    if (commit.putInstances || commit.deleteInstances) this.finish(target, commit);
    else await this.writeBehind(commit, target);
  }

  private async runOrchestration(
    target: string,
    instanceId: string,
    messages: (StoredMessage & { body: OrchestrationMessage })[],
  ): Promise<boolean> {
    const instance = this.store.getInstance(instanceId);
    const now = this.now();
    const at = new Date(now).toISOString();
    if (!instance) {
      this.options.logger.warn(`durable: dropping ${messages.length} messages for unknown instance '${instanceId}'`);
      this.finish(target, { deleteMessages: messages.map((m) => m.id) });
      return false;
    }
    const stale = messages.filter(
      (m) => m.body.executionId !== undefined && m.body.executionId !== instance.executionId,
    );
    const live = messages.filter((m) => !stale.includes(m));
    if (terminalStatuses.includes(instance.status)) {
      this.finish(target, { deleteMessages: messages.map((m) => m.id) });
      return false;
    }
    const consumed = stale.map((m) => m.id);
    const controls = live.filter((m) => m.body.control);
    consumed.push(...controls.map((m) => m.id));
    const terminate = controls.find((m) => m.body.control === 'terminate');
    if (terminate) {
      const ids = messages.map((m) => m.id);
      this.finish(target, terminationCommit(instance, terminate.body.reason, ids, at, this.newId));
      return false;
    }
    let suspended = instance.status === 'Suspended';
    for (const c of controls)
      suspended = c.body.control === 'suspend' ? true : c.body.control === 'resume' ? false : suspended;
    const events = live.filter((m) => !m.body.control);
    if (suspended) {
      const history =
        controls.length > 0 ? [...instance.history, historyEvent(EventType.ExecutionSuspended, at)] : instance.history;
      this.finish(target, {
        deleteMessages: consumed,
        putInstances: [{ ...instance, status: 'Suspended', lastUpdatedTime: at, history }],
      });
      if (events.length > 0)
        this.options.logger.debug(
          `durable: ${instance.name} ${instanceId} is suspended; holding ${events.length} messages until resumed`,
        );
      return events.length > 0;
    }
    const resumed: InstanceRecord =
      instance.status === 'Suspended' ? { ...instance, status: 'Running', lastUpdatedTime: at } : instance;
    if (events.length === 0) {
      this.finish(target, { deleteMessages: consumed, putInstances: [resumed] });
      return false;
    }
    consumed.push(...events.map((m) => m.id));
    await this.runEpisode(target, resumed, events, consumed, now);
    return false;
  }

  /** One episode: the new events planned into the history, the orchestrator replayed, its result committed. */
  private async runEpisode(
    target: string,
    resumed: InstanceRecord,
    events: (StoredMessage & { body: OrchestrationMessage })[],
    consumed: string[],
    now: number,
  ): Promise<void> {
    const { instanceId, executionId } = resumed;
    const plan = planEpisode(
      resumed,
      events.map((m) => m.body),
      now,
      this.newId,
    );
    // Stored events stay as written (the store only appends); the SDK sees earlier episodes' events as played.
    const working: InstanceRecord = { ...resumed, history: [...resumed.history, ...plan.newEvents] };
    const played = [...resumed.history.map((e) => (e.IsPlayed ? e : { ...e, IsPlayed: true })), ...plan.newEvents];
    const outcome = await this.invokeOrchestrator(working, played);
    const result = applyOrchestratorResult(working, plan.engine, outcome, this.now(), this.newId, (id) =>
      this.store.getInstance(id),
    );
    if (result.relisted) this.warnRelisting(resumed.name);
    const restarted = plan.restartChildren.map((c) =>
      newInstance(
        {
          instanceId: c.instanceId,
          name: c.name,
          input: c.input,
          now,
          parent: { instanceId, executionId, taskId: c.taskId },
        },
        this.newId,
      ),
    );
    this.options.logger.debug(
      `durable: ${resumed.name} ${instanceId} episode with ${events.length} messages -> ${result.instance.status}`,
    );
    this.finish(target, {
      deleteMessages: consumed,
      putInstances: [result.instance, ...result.putInstances, ...restarted.map((r) => r.record)],
      addMessages: [...plan.outgoing, ...result.outgoing, ...restarted.map((r) => r.message)],
    });
  }

  /** Once per orchestrator name. */
  private warnRelisting(name: string): void {
    if (this.warnedRelisting.has(name)) return;
    this.warnedRelisting.add(name);
    this.options.logger.warn(
      `durable: orchestrator '${name}' passes already-scheduled tasks to a new Task.any/Task.all. The local host runs each task once, ` +
        'as durable-functions intends, but the Azure Durable extension schedules such tasks again (azure-functions-durable-js#574).',
    );
  }

  private async invokeOrchestrator(
    instance: InstanceRecord,
    history: readonly HistoryEvent[],
  ): Promise<OrchestratorOutcome> {
    const fn = this.findFunction('orchestrationTrigger', instance.name);
    if (!fn) return { ok: false, message: `No orchestrator function named '${instance.name}' is registered` };
    const trigger = {
      history,
      input: parseJsonText(instance.input),
      instanceId: instance.instanceId,
      isReplaying: false,
      parentInstanceId: instance.parent?.instanceId,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    try {
      const result = await this.options.invoke({
        functionName: fn.name,
        triggerData: { string: JSON.stringify(trigger) },
      });
      const state = fromRpcTypedData(result.returnValue);
      if (!state || typeof state !== 'object') {
        return {
          ok: false,
          message: `Orchestrator '${fn.name}' returned no orchestration state; register it with df.app.orchestration`,
        };
      }
      return { ok: true, state: state as Extract<OrchestratorOutcome, { ok: true }>['state'] };
    } catch (err) {
      return { ok: false, ...orchestratorFailure(err) };
    }
  }
}
