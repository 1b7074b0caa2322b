/**
 * The capacity model behind `npm run capacity` (docs/explanation/capacity.md): pure arithmetic, no I/O. What it
 * derives from the code's structure (entity operations per batch or per flush, the analysis fan-out, one buffer write
 * per batch) is computed here; what only a measurement can say (CPU per event, table requests per stream and per
 * event) comes from the committed snapshot of the local benchmarks (benchSnapshot.json, `--from-bench` rewrites it).
 */
import { HOURS_PER_MONTH, UNIT_PRICES } from './prices';

export interface CapacityInput {
  eventsPerSec: number;
  streams: number;
  /** Event Hubs partitions of the events hub; streams are keyed to partitions (send --key-by-stream). */
  partitions: number;
  /** host.json eventHubs.maxEventBatchSize. */
  batch: number;
  /** ENTITY_FLUSH_INTERVAL in milliseconds (0: one entity operation per stream per batch). */
  flushIntervalMs: number;
  /** Minutes between scheduled analyses (ANALYSIS_SCHEDULE; hourly by default). */
  analysisEveryMinutes: number;
  /** Window size of the pipeline (the default pipeline: PT1M). */
  windowSeconds: number;
  /** Flex Consumption instance memory (instanceMemoryMB). */
  instanceMemoryMB: 512 | 2048 | 4096;
}

/** The figures the model takes from `npm run bench:e2e -- --json` (see benchSnapshot.json). */
export interface BenchFigures {
  scenario: { streams: number; eventBytes: number; partitions: number };
  eventsPerSec: number;
  cpuMsPer1000Events: { host: number | null };
  entityOpsPer1000Events: number;
  tableRequestsPer1000EventsByTable: Record<string, number>;
}

export interface BenchSnapshot {
  measuredAt: string;
  commit: string;
  command: string;
  e2e: BenchFigures;
}

/** Assumptions that are not measured here; each is printed with the result. */
export const ASSUMPTIONS = {
  /** The host hands a partition a batch of at most maxEventBatchSize, and at low rates about one second of events. */
  batchGatherSeconds: 1,
  /** A stream's Streams and StreamActivity rows are rewritten at most this often (CATALOG_REFRESH_MS in streamEntity.ts). */
  catalogRefreshSeconds: 5,
  /** Rows of one pipeline per group-commit transaction at the most (groupCommit.ts: the entity-group limit). */
  groupCommitRows: 100,
  /** Azure Storage provider: about 64 entity operations/s per control-queue partition (the figure for one entity), 16 partitions at most. */
  azureStoragePartitionOpsPerSec: 64,
  azureStoragePartitions: 16,
  /** Azure Storage provider: storage transactions per entity operation (queue put, get, delete; history and instance rows). */
  azureStorageTransactionsPerOp: 5,
  schedulerConsumptionMaxActionsPerSec: 500,
  schedulerActionsPerCu: 2000,
  schedulerMaxCu: 3,
  /** Event Hubs Standard: 1 MB/s or 1,000 events/s of ingress per throughput unit, at most 40 units. */
  standardTuEventsPerSec: 1000,
  standardTuBytesPerSec: 1_000_000,
  standardMaxTu: 40,
  standardMaxPartitions: 32,
  /** Event Hubs Premium: about 5 MB/s of ingress per processing unit (varies with the load). */
  premiumPuBytesPerSec: 5_000_000,
  /** vCPUs of a Flex Consumption instance by memory, and the utilisation the model plans for. */
  flexVcpus: { 512: 0.25, 2048: 1, 4096: 2 } as Record<number, number>,
  flexTargetUtilisation: 0.7,
  flexMaxInstances: 1000,
  /** The analysis fan-out (src/functions/analysis/plan.ts). */
  analysisChunkSize: 25,
  analysisSubOrchestrationThreshold: 500,
  analysisGroupChunks: 20,
  /** Azure Table: 2,000 entities/s per partition, 20,000 per account. */
  tableAccountOpsPerSec: 20_000,
} as const;

export interface BackendEstimate {
  backend: 'scheduler' | 'azureStorage';
  /** Entity operations plus orchestration actions per second. */
  actionsPerSec: number;
  /** What the backend can take at most (scheduler: 3 CUs). */
  ceilingPerSec: number;
  fits: boolean;
  /** Scheduler: Consumption when it fits in 500 actions/s, else Dedicated with this many CUs (may exceed 3: does not fit). */
  sku: string;
  capacityUnits: number;
  /** Durable backend cost per month (scheduler SKU, or the Azure Storage provider's transactions). */
  monthlyUsd: number;
}

export interface CapacityResult {
  input: CapacityInput;
  eventsPerBatch: number;
  /** Entity signals per second (merges + commits), and per 1,000 events. */
  entityOpsPerSec: number;
  entityOpsPer1000Events: number;
  orchestrationActionsPerSec: number;
  /** App tables (and the ingest buffer): transactions per second, by table. */
  tableTransactionsPerSec: Record<string, number>;
  eventHubs: { tier: 'Standard' | 'Premium'; units: number; monthlyUsd: number; note: string };
  cpuCores: number;
  flexInstances: number;
  flexMonthlyUsd: number;
  backends: BackendEstimate[];
  tablesMonthlyUsd: number;
  /** Per backend: Event Hubs + Flex + tables + the backend. */
  totalMonthlyUsd: Record<BackendEstimate['backend'], number>;
  warnings: string[];
}

/** Expected distinct streams among n events spread evenly over k streams: k(1 - (1 - 1/k)^n). */
export function expectedDistinct(n: number, k: number): number {
  if (k <= 1) return Math.min(1, n);
  return k * (1 - Math.pow(1 - 1 / k, n));
}

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Orchestration actions of one analysis run over `streams` streams (an activity or sub-orchestration is two: schedule, result). */
export function analysisActionsPerRun(streams: number): number {
  const a = ASSUMPTIONS;
  const chunks = Math.ceil(streams / a.analysisChunkSize);
  const groups = streams > a.analysisSubOrchestrationThreshold ? Math.ceil(chunks / a.analysisGroupChunks) : 0;
  // start + list streams + chunks + (sub-orchestrations: start/result in the parent, start in the child) + raise alerts + finalize
  return 1 + 2 + 2 * chunks + 3 * groups + 2 + 2;
}

export function checkInput(input: CapacityInput): string[] {
  const bad: string[] = [];
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) bad.push(`expected ${name} to be a positive number, found ${v}`);
  };
  positive('eventsPerSec', input.eventsPerSec);
  positive('streams', input.streams);
  positive('partitions', input.partitions);
  positive('batch', input.batch);
  positive('analysisEveryMinutes', input.analysisEveryMinutes);
  positive('windowSeconds', input.windowSeconds);
  if (!(Number.isFinite(input.flushIntervalMs) && input.flushIntervalMs >= 0))
    bad.push(`expected flushIntervalMs to be 0 or more, found ${input.flushIntervalMs}`);
  if (!(input.instanceMemoryMB in ASSUMPTIONS.flexVcpus))
    bad.push(`expected instanceMemoryMB 512, 2048 or 4096, found ${input.instanceMemoryMB}`);
  return bad;
}

export function capacityModel(input: CapacityInput, bench: BenchFigures): CapacityResult {
  const problems = checkInput(input);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const a = ASSUMPTIONS;
  const warnings: string[] = [];
  const { eventsPerSec: E, streams: S, partitions: P } = input;
  const perPartition = E / P;
  const streamsPerPartition = Math.max(1, S / P);
  const eventsPerBatch = Math.max(1, Math.min(input.batch, perPartition * a.batchGatherSeconds));
  const batchesPerSec = P * (perPartition / eventsPerBatch);
  // One signal round per batch (interval 0) or per flush of a partition's buffer (at most one per interval).
  const roundSeconds = Math.max(input.flushIntervalMs / 1000, eventsPerBatch / perPartition);
  const eventsPerRound = perPartition * roundSeconds;
  const distinct = expectedDistinct(eventsPerRound, streamsPerPartition);
  // A stream of the previous round absent from this one gets a commit (ingestCommits.ts).
  const commits = distinct * (1 - distinct / streamsPerPartition);
  const entityOpsPerSec = (P * (distinct + commits)) / roundSeconds;
  const orchestrationActionsPerSec = analysisActionsPerRun(S) / (input.analysisEveryMinutes * 60);

  // Tables. Streams and StreamActivity rows are rewritten per stream at most every catalogRefreshSeconds, and never
  // more often than the stream's entity operations. Group commit sends the rows of a pipeline queued during a write as
  // one transaction: the bench's transactions per stream-second (capped so), and never fewer than the rows over the
  // largest transaction (the bench's 100 streams group into so few that its figure rounds to 0).
  const per1000 = bench.tableRequestsPer1000EventsByTable;
  const benchPerStreamSec = (t: string) => ((per1000[t] ?? 0) * bench.eventsPerSec) / 1000 / bench.scenario.streams;
  const opsPerStreamSec = entityOpsPerSec / S;
  const rowsPerSec = S * Math.min(1 / a.catalogRefreshSeconds, opsPerStreamSec);
  const tables: Record<string, number> = {};
  for (const t of ['Streams', 'StreamActivity'])
    tables[t] = Math.max(S * Math.min(benchPerStreamSec(t), opsPerStreamSec), rowsPerSec / a.groupCommitRows);
  // Per event (their writes follow batches and pipeline refreshes): as measured per 1,000 events.
  for (const t of ['IngestMetrics', 'Pipelines', 'DeadLetters'])
    if ((per1000[t] ?? 0) > 0) tables[t] = ((per1000[t] ?? 0) * E) / 1000;
  // One upsert per stream per closed window (the bench's throughput phase closes none, so this one is structural).
  tables['Windows'] = S / input.windowSeconds;
  // Coalescing: one buffer write per batch; per flush of a partition, reads of the mark and the rows, the claim, its
  // completion and one delete transaction (src/functions/ingestCoalesce.ts); the timer's scan every 5 s.
  if (input.flushIntervalMs > 0) tables['IngestBuffer'] = batchesPerSec + (5 * P) / roundSeconds + 1 / 5;
  for (const k of Object.keys(tables)) tables[k] = round(tables[k] as number, 1);
  const tableTotal = Object.values(tables).reduce((x, y) => x + y, 0);
  if (tableTotal > a.tableAccountOpsPerSec)
    warnings.push(
      `table transactions ${Math.round(tableTotal)}/s exceed one storage account's ${a.tableAccountOpsPerSec}/s`,
    );

  // Event Hubs.
  const bytesPerSec = E * bench.scenario.eventBytes;
  const tus = Math.max(1, Math.ceil(Math.max(E / a.standardTuEventsPerSec, bytesPerSec / a.standardTuBytesPerSec)));
  const standard = tus <= a.standardMaxTu && P <= a.standardMaxPartitions;
  const ingressMillions = (E * SECONDS_PER_MONTH) / 1e6;
  const eventHubs = standard
    ? {
        tier: 'Standard' as const,
        units: tus,
        monthlyUsd:
          tus * UNIT_PRICES.eventHubsStandardTu.usd * HOURS_PER_MONTH +
          ingressMillions * UNIT_PRICES.eventHubsStandardIngress.usd,
        note: `${tus} TU (1,000 events/s or 1 MB/s each)`,
      }
    : (() => {
        const pus = Math.max(1, Math.ceil(bytesPerSec / a.premiumPuBytesPerSec));
        return {
          tier: 'Premium' as const,
          units: pus,
          monthlyUsd: pus * UNIT_PRICES.eventHubsPremiumPu.usd * HOURS_PER_MONTH,
          note: `needs ${tus} Standard TUs (over ${a.standardMaxTu}) or ${P} partitions: Premium, ${pus} PU`,
        };
      })();

  // Compute: the host's CPU per event as measured locally (ingest and entities together, at interval 0: coalescing
  // spends less, which the model does not credit).
  const cpuMs = bench.cpuMsPer1000Events.host;
  if (cpuMs === null)
    throw new Error(
      'the bench snapshot has no host CPU figure (cpuMsPer1000Events.host is null): re-measure with --from-bench',
    );
  const cpuCores = (E * cpuMs) / 1000 / 1000;
  const vcpus = a.flexVcpus[input.instanceMemoryMB] as number;
  const flexInstances = Math.max(1, Math.ceil(cpuCores / (vcpus * a.flexTargetUtilisation)));
  if (flexInstances > a.flexMaxInstances)
    warnings.push(`${flexInstances} Flex instances exceed the ${a.flexMaxInstances} maximum`);
  const executionsPerSec = batchesPerSec + entityOpsPerSec;
  const flexMonthlyUsd =
    flexInstances * (input.instanceMemoryMB / 1024) * SECONDS_PER_MONTH * UNIT_PRICES.flexOnDemandMemory.usd +
    ((executionsPerSec * SECONDS_PER_MONTH) / 1e6) * UNIT_PRICES.flexOnDemandExecutions.usd;
  const tablesMonthlyUsd = ((tableTotal * SECONDS_PER_MONTH) / 10_000) * UNIT_PRICES.storageTransactions.usd;

  const actions = entityOpsPerSec + orchestrationActionsPerSec;
  const monthlyActionsMillions = (actions * SECONDS_PER_MONTH) / 1e6;
  const cus = Math.max(1, Math.ceil(actions / a.schedulerActionsPerCu));
  const consumption = actions <= a.schedulerConsumptionMaxActionsPerSec;
  const scheduler: BackendEstimate = {
    backend: 'scheduler',
    actionsPerSec: round(actions),
    ceilingPerSec: a.schedulerActionsPerCu * a.schedulerMaxCu,
    fits: cus <= a.schedulerMaxCu,
    sku: consumption ? 'Consumption' : 'Dedicated',
    capacityUnits: consumption ? 0 : cus,
    monthlyUsd: consumption
      ? monthlyActionsMillions * UNIT_PRICES.schedulerConsumptionActions.usd
      : cus * UNIT_PRICES.schedulerDedicatedCu.usd,
  };
  const storageCeiling = a.azureStoragePartitionOpsPerSec * a.azureStoragePartitions;
  const azureStorage: BackendEstimate = {
    backend: 'azureStorage',
    actionsPerSec: round(actions),
    ceilingPerSec: storageCeiling,
    fits: actions <= storageCeiling,
    sku: `${a.azureStoragePartitions} partitions`,
    capacityUnits: 0,
    monthlyUsd:
      ((actions * a.azureStorageTransactionsPerOp * SECONDS_PER_MONTH) / 10_000) * UNIT_PRICES.storageTransactions.usd,
  };
  if (!scheduler.fits)
    warnings.push(
      `${Math.round(actions)} actions/s exceed the scheduler's ${scheduler.ceilingPerSec}/s (3 CUs): raise ENTITY_FLUSH_INTERVAL or split the load over task hubs`,
    );
  const base = eventHubs.monthlyUsd + flexMonthlyUsd + tablesMonthlyUsd;
  return {
    input,
    eventsPerBatch: round(eventsPerBatch),
    entityOpsPerSec: round(entityOpsPerSec),
    entityOpsPer1000Events: round((entityOpsPerSec * 1000) / E, 1),
    orchestrationActionsPerSec: round(orchestrationActionsPerSec, 2),
    tableTransactionsPerSec: tables,
    eventHubs: { ...eventHubs, monthlyUsd: round(eventHubs.monthlyUsd) },
    cpuCores: round(cpuCores, 2),
    flexInstances,
    flexMonthlyUsd: round(flexMonthlyUsd),
    backends: [scheduler, azureStorage].map((b) => ({ ...b, monthlyUsd: round(b.monthlyUsd) })),
    tablesMonthlyUsd: round(tablesMonthlyUsd),
    totalMonthlyUsd: {
      scheduler: round(base + scheduler.monthlyUsd),
      azureStorage: round(base + azureStorage.monthlyUsd),
    },
    warnings,
  };
}
