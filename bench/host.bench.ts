/**
 * Local host durable runtime throughput: 10-activity fan-out orchestrations/s, entity operations/s and the
 * time of one 500-step sequential orchestration (history growth per episode) on the memory and SQLite stores, with raw Azurite table upserts/s and raw SQLite commits/s as the baselines that
 * chose the persisted store, and signals persisted/s with one transaction per signal vs one per event-loop turn. `--json` prints one JSON object.
 */
import { azuriteUpsertRate } from './durable/azuriteUpsertRate';
import {
  entityOperationRate,
  orchestrationRate,
  sequentialOrchestrationSeconds,
  sqliteCommitRate,
} from './durable/runtimeRates';
import { signalPersistRate } from './durable/signalPersistRate';

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const round = (n: number): number => Math.round(n);
  const azuriteSequential = await azuriteUpsertRate(500, 1);
  const azuriteParallel = await azuriteUpsertRate(2000, 16);
  const result = {
    baseline: {
      azuriteTableUpsertsPerSecond: {
        sequential: round(azuriteSequential.upsertsPerSecond),
        parallel16: round(azuriteParallel.upsertsPerSecond),
      },
      sqliteCommitsPerSecond: round(sqliteCommitRate(20_000)),
    },
    memory: {
      fanOut10OrchestrationsPerSecond: round(await orchestrationRate('memory', 500)),
      entityOperationsPerSecond: round(await entityOperationRate('memory', 50_000, 100)),
      sequential500Seconds: Number((await sequentialOrchestrationSeconds('memory', 500)).toFixed(2)),
    },
    sqlite: {
      fanOut10OrchestrationsPerSecond: round(await orchestrationRate('sqlite', 500)),
      entityOperationsPerSecond: round(await entityOperationRate('sqlite', 50_000, 100)),
      sequential500Seconds: Number((await sequentialOrchestrationSeconds('sqlite', 500)).toFixed(2)),
      // Bursts of 50 per turn, as the durable HTTP API receives an ingest batch's signals.
      signalsPersistedPerSecond: {
        transactionPerSignal: round(await signalPersistRate('each', 50_000, 50)),
        transactionPerTurn: round(await signalPersistRate('perTurn', 50_000, 50)),
      },
    },
    node: process.version,
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log('Durable runtime (in-process, real durable-functions SDK replay)');
  console.log(
    `  Azurite table upserts/s: ${result.baseline.azuriteTableUpsertsPerSecond.sequential} sequential, ${result.baseline.azuriteTableUpsertsPerSecond.parallel16} with 16 in flight`,
  );
  console.log(`  SQLite commits/s (entity-batch shaped): ${result.baseline.sqliteCommitsPerSecond}`);
  for (const kind of ['memory', 'sqlite'] as const) {
    console.log(
      `  ${kind}: ${result[kind].fanOut10OrchestrationsPerSecond} fan-out(10) orchestrations/s, ${result[kind].entityOperationsPerSecond} entity ops/s, ` +
        `one 500-step sequential orchestration in ${result[kind].sequential500Seconds} s`,
    );
  }
  const signals = result.sqlite.signalsPersistedPerSecond;
  console.log(
    `  sqlite signals persisted/s (bursts of 50): ${signals.transactionPerSignal} one transaction each, ${signals.transactionPerTurn} one per turn`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
