import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { toRpcTypedData } from '../../local-host/converters/toRpcTypedData';
import { entitySchedulerId } from '../../local-host/durable/runtime/entityId';
import { MemoryStore } from '../../local-host/durable/store/memoryStore';
import { toTriggerInput, type TriggerShape } from '../../local-host/eventhub/toTriggerInput';
import type { HubEvent } from '../../local-host/eventhub/types';
import { migrateStreamState, streamView } from '../../src/core/state';
import type { StreamState } from '../../src/core/state/types';
import { encodeStreamKey } from '../../src/core/streams';
import { installSimulationHooks, type SimulationHooks } from '../../src/simulationHooks';
import { createMemoryStores } from '../../src/storage';
import { type SimHostProcess, startSimHost } from './appHost';
import { checkRecordedOrchestrations } from './determinism/checkApp';
import { describeCheck } from './determinism/replayCheck';
import { faultyStores, type StoreFaults } from './faultyStores';
import { Rng } from './rng';
import { VirtualTime } from './virtualTime';
import {
  bodyAt,
  type Burst,
  ndjsonWorkload,
  readingOf,
  type StreamTruth,
  syntheticWorkload,
  type WorkloadEvent,
} from './workload';

export interface SimConfig {
  seed: number;
  /** Scheduler decisions before the drain. */
  steps: number;
  /** The function app (package.json main names its built entry files). */
  appDir: string;
  /** false: no faults and an on-time, valid workload (the schedule-only determinism check). */
  faults: boolean;
  /** Seeds the schedule alone (default: seed); the workload and faults follow `seed`. */
  scheduleSeed?: number;
  plantedBug?: SimulationHooks['plantedBug'];
  /** Only these workload event ids are sent (a shrunk trace); default all. */
  keep?: ReadonlySet<number>;
  /** NDJSON text: its lines are the workload instead of the synthetic streams. */
  ndjson?: string;
  /** Where the NDJSON came from (for the replay command). */
  ndjsonFile?: string;
  /** At the end, run an analysis and replay every orchestration through the non-determinism check. */
  checkOrchestrators?: boolean;
  /** Prints the scheduler's decisions (--verbose). */
  debug?: (line: string) => void;
  /** Synthetic workload size (bursts of 1-8 events); default steps/4, at least 10. */
  bursts?: number;
}

/** Every invariant a run checks (docs/explanation/simulator.md). */
export const INVARIANTS = [
  'totals-equal-truth',
  'counted-once',
  'classified',
  'one-content-per-window',
  'watermark-monotone',
  'state-bounded',
  'liveness',
  'orchestrator-deterministic',
  'orchestration-completes',
] as const;

/** One event as the hub took it: what a failure's (shrunk) trace prints. */
export interface TraceEntry {
  id: number;
  partition: number;
  sequence: number;
  at: number;
  body: string;
}

export interface Violation {
  step: number;
  invariant: string;
  message: string;
}

export interface SimResult {
  seed: number;
  scheduleSeed: number;
  ok: boolean;
  steps: number;
  events: number;
  partitions: number;
  streams: number;
  crashes: number;
  violations: Violation[];
  faults: Record<string, number>;
  /** Per stream: what the entities hold; equal across schedule-only seed changes without faults. */
  results: Record<string, StreamTruth>;
  digest: string;
  orchestrations: { checked: number; failures: string[] };
  /** The workload events that were sent (what shrinking cuts down). */
  sent: number[];
  trace: TraceEntry[];
  wallMs: number;
}

const STREAM_ENTITY = 'stream';
const PIPELINE = 'default';
/** Live windows the default pipeline keeps (its retention) and the core's rate-sample cap: the state bounds checked. */
const MAX_LIVE_WINDOWS = 60;
const MAX_SAMPLES = 32;
const MAX_UNSAVED = 64;
/** A step that takes this many event-loop turns without the app settling is a hang (liveness). */
const MAX_DRAIN_ROUNDS = 20_000;

const turn = () => new Promise<void>((r) => setImmediate(r));

function appSettings(appDir: string): Record<string, string> {
  let values: Record<string, string> = {};
  try {
    values =
      (JSON.parse(readFileSync(join(appDir, 'local.settings.json'), 'utf8')) as { Values?: Record<string, string> })
        .Values ?? {};
  } catch {
    // an app without local.settings.json: only the simulator's own settings
  }
  return {
    ...values,
    EVENTHUB_NAME: values['EVENTHUB_NAME'] ?? 'events',
    EVENTHUB_CONSUMER_GROUP: values['EVENTHUB_CONSUMER_GROUP'] ?? '$Default',
  };
}

/**
 * One seeded run of the whole pipeline in this process (docs/explanation/simulator.md): the app is loaded through the
 * local host's loader, ingest is invoked by a simulated event hub, entities and orchestrations run on the local host's
 * durable runtime over an in-memory task hub that survives crashes, and the app's tables are fault-injecting memory
 * stores. Every choice comes from the seed; the clock is virtual.
 */
export async function simulate(config: SimConfig): Promise<SimResult> {
  const started = performance.now();
  const root = new Rng(config.seed);
  const scheduleSeed = config.scheduleSeed ?? config.seed;
  const sched = new Rng(scheduleSeed).fork('schedule');
  const faultRng = root.fork('faults');
  const storeRng = root.fork('store-faults');
  const faultsOn = config.faults;
  const partitions = root.fork('shape').range(2, 4);
  const streams = root.fork('shape-streams').range(2, 6);
  const storeFaults: StoreFaults = faultsOn
    ? { transient: 0.03, timeout: 0.02, crash: 0.004, slow: 0.05 }
    : { transient: 0, timeout: 0, crash: 0, slow: 0 };
  const p = faultsOn
    ? { redeliver: 0.05, rebalance: 0.005, crash: 0.008, slowEntity: 0.05, concurrent: 0.5 }
    : { redeliver: 0, rebalance: 0, crash: 0, slowEntity: 0, concurrent: 0.5 };

  // Workload
  const wlRng = root.fork('workload');
  let bursts: Burst[];
  let eventTime: (e: WorkloadEvent, sentAt: number) => number = (_e, at) => at;
  if (config.ndjson !== undefined) bursts = ndjsonWorkload(config.ndjson, partitions, wlRng);
  else {
    const w = syntheticWorkload(wlRng, {
      partitions,
      streams,
      bursts: config.bursts ?? Math.max(10, Math.floor(config.steps / 4)),
      lateRate: faultsOn ? 0.05 : 0,
      invalidRate: faultsOn ? 0.03 : 0,
      skewRate: faultsOn ? 0.3 : 0,
    });
    bursts = w.bursts;
    eventTime = w.eventTime;
  }
  const keep = config.keep;
  if (keep)
    bursts = bursts.map((b) => ({ events: b.events.filter((e) => keep.has(e.id)) })).filter((b) => b.events.length > 0);

  // Shared state that outlives host processes: the hub, the task hub store, the tables.
  const time = new VirtualTime(Date.parse('2030-01-01T00:00:00Z'));
  const undoClock = time.install();
  const faults: Record<string, number> = {};
  const count = (kind: string, n = 1) => void (faults[kind] = (faults[kind] ?? 0) + n);
  const violations: Violation[] = [];
  let step = 0;
  const violate = (invariant: string, message: string) => violations.push({ step, invariant, message });
  const tables = createMemoryStores();
  const durable = new MemoryStore();
  const hub: HubEvent[][] = Array.from({ length: partitions }, () => []);
  const checkpoint = new Array<number>(partitions).fill(0);
  const sentEvents = new Map<string, WorkloadEvent>();
  const sent: number[] = [];
  const trace: TraceEntry[] = [];
  const deadLettered = new Map<string, string>();
  const windowContent = new Map<string, string>();
  const streamNames = new Set<string>();

  let generation = 0;
  let host: SimHostProcess | undefined;
  const hosts: SimHostProcess[] = [];
  let crashRequested = false;
  let crashes = 0;
  let alive = true;
  const observer = {
    windowUpserted(key: string, start: number, content: unknown) {
      const { closedAt: _closedAt, ...rest } = content as Record<string, unknown>;
      const text = JSON.stringify(rest);
      const id = `${key}@${start}`;
      const before = windowContent.get(id);
      if (before !== undefined && before !== text)
        violate(
          'one-content-per-window',
          `window ${id} stored again with other content:\n  before ${before.slice(0, 400)}\n  now    ${text.slice(0, 400)}`,
        );
      windowContent.set(id, text);
    },
    deadLettered(records: readonly { partition: string; sequenceNumber: number; reason: string }[]) {
      for (const r of records)
        if (r.partition !== 'window') deadLettered.set(`${r.partition}/${r.sequenceNumber}`, r.reason);
    },
    withdrawn(keys: readonly { partition: string; sequenceNumber: number }[]) {
      // One pipeline in the simulation, so (partition, sequence) is the dead letter's row.
      for (const k of keys) deadLettered.delete(`${k.partition}/${k.sequenceNumber}`);
    },
  };
  const crashNow = (where: string) => {
    if (!alive) return;
    alive = false;
    crashRequested = true;
    host?.crash();
    void where;
  };
  let storesOfGeneration = tables;
  const hooks: SimulationHooks = {
    stores: () => storesOfGeneration,
    sleep: time.sleep,
    ...(config.plantedBug ? { plantedBug: config.plantedBug } : {}),
  };
  installSimulationHooks(hooks);
  const settings = appSettings(config.appDir);
  const savedEnv = { ...process.env };
  Object.assign(
    process.env,
    Object.fromEntries(Object.entries(settings).filter(([k]) => process.env[k] === undefined)),
  );
  let faultsActive = faultsOn;

  const startHost = async () => {
    generation++;
    alive = true;
    const gen = generation;
    storesOfGeneration = faultyStores(
      tables,
      storeRng,
      storeFaults,
      { count, crash: crashNow },
      observer,
      () => alive && gen === generation,
      () => faultsActive,
    );
    const concurrency = sched.range(1, 4);
    host = await startSimHost({
      appDir: config.appDir,
      origin: `http://sim-${gen}.invalid:7071`,
      settings,
      store: durable,
      now: () => time.now,
      concurrency,
      delay: async () => {
        if (faultsActive && faultRng.chance(p.slowEntity)) {
          count('slow-entity');
          for (let i = faultRng.range(1, 6); i > 0; i--) await turn();
        }
      },
    });
    hosts.push(host);
  };

  const ingestFn = () => {
    const fn = host?.findTrigger('eventHubTrigger')[0];
    if (!fn) throw new Error('the app registers no eventHubTrigger function');
    return fn;
  };
  const inFlight = new Map<number, { gen: number }>();

  const deliver = (partition: number) => {
    const log = hub[partition] as HubEvent[];
    const from = checkpoint[partition] as number;
    if (inFlight.has(partition) || from >= log.length || !host) return false;
    const to = Math.min(log.length, from + sched.range(1, 16));
    const fn = ingestFn();
    const shape: TriggerShape = {
      functionName: fn.name,
      cardinality: fn.trigger['cardinality'] === 'one' ? 'one' : 'many',
      ...(typeof fn.trigger['dataType'] === 'string' ? { dataType: fn.trigger['dataType'] } : {}),
    };
    const input = toTriggerInput(
      log.slice(from, to),
      shape,
      {
        fullyQualifiedNamespace: 'sim.servicebus.windows.net',
        eventHubName: settings['EVENTHUB_NAME'] ?? 'events',
        consumerGroup: '$Default',
        partitionId: String(partition),
      },
      new Date(time.now),
    );
    const gen = generation;
    inFlight.set(partition, { gen });
    host.invoke({ functionName: fn.name, ...input }).then(
      () => {
        if (gen !== generation) return;
        inFlight.delete(partition);
        if (faultsActive && faultRng.chance(p.redeliver)) count('redelivery');
        else checkpoint[partition] = Math.max(checkpoint[partition] as number, to);
      },
      () => {
        if (gen !== generation) return;
        inFlight.delete(partition);
        count('ingest-invocation-failed');
      },
    );
    return true;
  };

  const produce = (burst: Burst) => {
    const at = time.now;
    for (const e of burst.events) {
      const log = hub[e.partition] as HubEvent[];
      const seq = log.length;
      const body = bodyAt(e, eventTime(e, at));
      log.push({
        body: Buffer.from(body, 'utf8'),
        sequenceNumber: seq,
        offset: String(seq * 100),
        enqueuedTime: new Date(at),
        partitionKey: null,
        properties: {},
      });
      sentEvents.set(`${e.partition}/${seq}`, e);
      sent.push(e.id);
      trace.push({ id: e.id, partition: e.partition, sequence: seq, at, body });
      const r = readingOf(body);
      if (r) streamNames.add(r.stream);
      if (e.kind === 'late') count('late-event');
      if (e.kind === 'skewed') count('skewed-event');
      if (e.kind === 'invalid-json') count('invalid-event');
    }
  };

  const restart = async (kind: 'crash' | 'rebalance') => {
    config.debug?.(`${kind} at step ${step}: generation ${generation} ends`);
    if (kind === 'rebalance') {
      // Ownership moves to a fresh instance: the old one stops (its durable work may finish, for a while), then is gone;
      // uncheckpointed batches are read again by the new one.
      const old = host;
      let stopped = false;
      void old?.stop().then(
        () => (stopped = true),
        () => (stopped = true),
      );
      for (let i = 0; i < 200 && !stopped; i++) {
        await turn();
        const due = time.nextDue();
        if (due !== undefined && i % 10 === 9) time.advanceTo(due);
      }
      old?.crash();
      alive = false;
    } else {
      crashes++;
      host?.crash();
    }
    time.dropSleepers();
    inFlight.clear();
    for (let i = 0; i < 20; i++) await turn();
    crashRequested = false;
    await startHost();
  };

  // Per-step invariants: watermarks never go backwards, state bounded.
  const lastSeen = new Map<string, { watermark: number; closedThrough: number; committed: Record<string, number> }>();
  // Parsed once per stored state text: most steps change no entity.
  const parsed = new Map<string, { text: string; state: StreamState }>();
  const entityStates = (): Map<string, StreamState> => {
    const out = new Map<string, StreamState>();
    for (const stream of streamNames) {
      const text = durable.getEntity(entitySchedulerId(STREAM_ENTITY, encodeStreamKey(PIPELINE, stream)))?.state;
      if (!text) continue;
      let hit = parsed.get(stream);
      if (hit?.text !== text) {
        // As the entity reads it (version 5 stores pending windows packed).
        const migrated = migrateStreamState(JSON.parse(text));
        if (!migrated.ok) throw new Error(`stream ${stream}: ${migrated.error}`);
        parsed.set(stream, (hit = { text, state: migrated.state }));
      }
      out.set(stream, hit.state);
    }
    return out;
  };
  const checkStep = () => {
    for (const [stream, s] of entityStates()) {
      const prev = lastSeen.get(stream) ?? { watermark: -Infinity, closedThrough: -Infinity, committed: {} };
      const wm = s.watermark ?? -Infinity;
      const ct = s.closedThrough ?? -Infinity;
      if (wm < prev.watermark)
        violate('watermark-monotone', `stream ${stream}: watermark went back from ${prev.watermark} to ${wm}`);
      if (ct < prev.closedThrough)
        violate('watermark-monotone', `stream ${stream}: closedThrough went back from ${prev.closedThrough} to ${ct}`);
      const committed: Record<string, number> = {};
      for (const [part, progress] of Object.entries(s.partitions)) {
        committed[part] = progress.committed;
        if (progress.committed < (prev.committed[part] ?? -1))
          violate(
            'watermark-monotone',
            `stream ${stream}: partition ${part} committed sequence went back from ${prev.committed[part]} to ${progress.committed}`,
          );
      }
      lastSeen.set(stream, {
        watermark: Math.max(wm, prev.watermark),
        closedThrough: Math.max(ct, prev.closedThrough),
        committed: { ...prev.committed, ...committed },
      });
      const live = Object.keys(s.windows).length;
      if (live > MAX_LIVE_WINDOWS)
        violate('state-bounded', `stream ${stream}: ${live} live windows, expected at most ${MAX_LIVE_WINDOWS}`);
      if (s.samples.length > MAX_SAMPLES)
        violate('state-bounded', `stream ${stream}: ${s.samples.length} rate samples, expected at most ${MAX_SAMPLES}`);
      if ((s.unsaved?.length ?? 0) > MAX_UNSAVED)
        violate(
          'state-bounded',
          `stream ${stream}: ${s.unsaved?.length} unsaved windows, expected at most ${MAX_UNSAVED}`,
        );
      if (Object.keys(s.partitions).length > partitions)
        violate(
          'state-bounded',
          `stream ${stream}: ${Object.keys(s.partitions).length} partitions tracked, the hub has ${partitions}`,
        );
    }
  };

  const flushFn = () => host?.findTrigger('timerTrigger').find((f) => /flush/i.test(f.name));
  const runtimeIdle = () => !!host && host.runtime.pendingMessages === 0 && host.runtime.busy === 0;

  try {
    await startHost();
    let nextBurst = 0;
    for (step = 1; step <= config.steps; step++) {
      const canProduce = nextBurst < bursts.length;
      const action = sched.weighted([canProduce ? 3 : 0, 3, 3, 1, 0.1, p.crash, p.rebalance]);
      config.debug?.(
        `step ${step} t=${time.now} ${['produce', 'deliver', 'turns', 'clock', 'idle-flush timer', 'crash', 'rebalance'][action]} (in flight: ${[...inFlight.keys()].join(',')}; checkpoints ${checkpoint.join(',')})`,
      );
      switch (action) {
        case 0:
          produce(bursts[nextBurst++] as Burst);
          break;
        case 1: {
          const candidates = [...Array(partitions).keys()].filter(
            (q) => !inFlight.has(q) && (checkpoint[q] as number) < (hub[q] as HubEvent[]).length,
          );
          if (candidates.length > 0) {
            deliver(sched.pick(candidates));
            if (sched.chance(p.concurrent) && candidates.length > 1) {
              deliver(sched.pick(candidates));
              count('concurrent-partitions');
            }
          }
          break;
        }
        case 2:
          for (let i = sched.range(1, 8); i > 0; i--) await turn();
          break;
        case 3:
          time.advanceTo(time.now + sched.range(1, 15_000));
          host?.runtime.poke();
          break;
        case 4: {
          const fn = flushFn();
          if (fn)
            void host
              ?.invoke({
                functionName: fn.name,
                triggerData: toRpcTypedData({
                  Schedule: { AdjustForDST: true },
                  ScheduleStatus: null,
                  IsPastDue: false,
                }),
              })
              .catch(() => count('timer-invocation-failed'));
          break;
        }
        case 5:
          count('crash');
          crashRequested = true;
          break;
        case 6:
          count('rebalance');
          await restart('rebalance');
          break;
      }
      await turn();
      if (crashRequested) await restart('crash');
      // A sleeper due now (a backoff) wakes without a clock step.
      if (time.nextDue() !== undefined && (time.nextDue() as number) <= time.now) time.advanceTo(time.now);
      checkStep();
    }

    config.debug?.('drain');
    // Drain: no more faults; send what is left, deliver everything, let the durable work finish.
    faultsActive = false;
    while (nextBurst < bursts.length) produce(bursts[nextBurst++] as Burst);
    let rounds = 0;
    for (;;) {
      if (crashRequested) await restart('crash');
      for (let q = 0; q < partitions; q++) deliver(q);
      await turn();
      const delivered = checkpoint.every((c, q) => c >= (hub[q] as HubEvent[]).length) && inFlight.size === 0;
      if (delivered && runtimeIdle()) break;
      if (++rounds % 50 === 0) {
        // Only sleepers or delayed durable messages left: move the clock to them.
        time.advanceTo(Math.max(time.now + 1000, time.nextDue() ?? 0));
        host?.runtime.poke();
      }
      if (rounds > MAX_DRAIN_ROUNDS) {
        violate(
          'liveness',
          `the pipeline did not settle after the drain: checkpoints ${JSON.stringify(checkpoint)} of ${JSON.stringify(hub.map((l) => l.length))}, ${inFlight.size} batch(es) in flight, ${host?.runtime.pendingMessages} durable message(s) pending`,
        );
        break;
      }
    }
    checkStep();

    // Final invariants: per stream, the entity's totals equal the truth over events not dead-lettered; every event
    // counted once (aggregated or dead-lettered).
    const truth: Record<string, StreamTruth> = {};
    let expectedAggregated = 0;
    for (const [key, e] of sentEvents) {
      const reason = deadLettered.get(key);
      const reading = readingOf(bodyAt(e, 0));
      if (e.kind === 'invalid-json' && reason !== 'invalid-json')
        violate(
          'classified',
          `event ${e.id} (${key}) is not JSON but was ${reason === undefined ? 'not dead-lettered' : `dead-lettered as ${reason}`}`,
        );
      if (reason !== undefined || !reading) continue;
      expectedAggregated++;
      const t = (truth[reading.stream] ??= { count: 0, sum: 0, min: null, max: null });
      t.count++;
      t.sum += reading.value;
      t.min = t.min === null ? reading.value : Math.min(t.min, reading.value);
      t.max = t.max === null ? reading.value : Math.max(t.max, reading.value);
    }
    for (const key of deadLettered.keys())
      if (!sentEvents.has(key)) violate('counted-once', `dead letter ${key} names no event that was sent`);
    const results: Record<string, StreamTruth> = {};
    const states = entityStates();
    let aggregated = 0;
    for (const stream of [...new Set([...Object.keys(truth), ...states.keys()])].sort()) {
      const state = states.get(stream);
      const v = state ? streamView(state).totals['value'] : undefined;
      const got: StreamTruth = { count: v?.count ?? 0, sum: v?.sum ?? 0, min: v?.min ?? null, max: v?.max ?? null };
      results[stream] = got;
      aggregated += got.count;
      const want = truth[stream] ?? { count: 0, sum: 0, min: null, max: null };
      // Integer values: sums are exact in any order (the tolerance covers an NDJSON workload's fractions).
      const sumOk = Math.abs(got.sum - want.sum) <= 1e-9 * Math.max(1, Math.abs(want.sum));
      if (got.count !== want.count || !sumOk || got.min !== want.min || got.max !== want.max) {
        violate(
          'totals-equal-truth',
          `stream ${stream}: the entity holds count ${got.count} sum ${got.sum} min ${got.min} max ${got.max}, the truth over events not dead-lettered is count ${want.count} sum ${want.sum} min ${want.min} max ${want.max}`,
        );
      }
    }
    if (
      aggregated + [...deadLettered.keys()].filter((k) => sentEvents.has(k)).length !== sentEvents.size &&
      violations.every((v) => v.invariant !== 'totals-equal-truth')
    ) {
      violate(
        'counted-once',
        `${sentEvents.size} events sent, ${aggregated} aggregated + ${deadLettered.size} dead-lettered (expected aggregated ${expectedAggregated})`,
      );
    }

    // Orchestrations: run one analysis over what was stored, then replay every recorded history.
    const orchestrations = { checked: 0, failures: [] as string[] };
    config.debug?.('final invariants checked; orchestrations');
    if (config.checkOrchestrators && host) {
      const job = {
        pipeline: PIPELINE,
        from: new Date(Date.parse('2029-12-31T00:00:00Z')).toISOString(),
        to: new Date(time.now + 86_400_000).toISOString(),
        analyses: ['summary'],
      };
      host.runtime.startOrchestration('analyzeStreams', `sim-analysis-${config.seed}`, JSON.stringify(job));
      for (
        let i = 0;
        i < MAX_DRAIN_ROUNDS &&
        !durable.queryInstances({}).every((s) => ['Completed', 'Failed', 'Terminated'].includes(s.status));
        i++
      ) {
        await turn();
        if (i % 50 === 49) {
          time.advanceTo(time.now + 5000);
          host.runtime.poke();
        }
      }
      const checks = await checkRecordedOrchestrations(host, durable);
      orchestrations.checked = checks.length;
      for (const c of checks) if (!c.ok) orchestrations.failures.push(describeCheck(c));
      for (const f of orchestrations.failures) violate('orchestrator-deterministic', f);
      const failed = durable.queryInstances({ runtimeStatus: ['Failed'] });
      for (const f of failed)
        violate('orchestration-completes', `orchestration ${f.name} (${f.instanceId}) failed: ${f.output ?? ''}`);
    }

    const digest = createHash('sha256').update(JSON.stringify(results)).digest('hex').slice(0, 16);
    return {
      seed: config.seed,
      scheduleSeed,
      ok: violations.length === 0,
      steps: config.steps,
      events: sentEvents.size,
      partitions,
      streams: streamNames.size,
      crashes,
      violations,
      faults,
      results,
      digest,
      orchestrations,
      sent,
      trace,
      wallMs: performance.now() - started,
    };
  } finally {
    // A graceful stop runs the app's appTerminate hooks (the metrics writer's flush may sleep on the virtual clock).
    let stopped = false;
    void host?.stop().then(
      () => (stopped = true),
      () => (stopped = true),
    );
    for (let i = 0; i < 1000 && !stopped; i++) {
      await turn();
      const due = time.nextDue();
      if (due !== undefined) time.advanceTo(due);
    }
    host?.crash();
    alive = false;
    for (const h of hosts.reverse()) h.unroute();
    installSimulationHooks(undefined);
    undoClock();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  }
}
