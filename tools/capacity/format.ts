import type { BenchSnapshot, CapacityResult } from './model';
import { ASSUMPTIONS } from './model';
import { PRICES_AS_OF, UNIT_PRICES } from './prices';

const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 2 });
const usd = (x: number): string => `$${Math.round(x).toLocaleString('en-US')}`;

/** The result as a Markdown table (the docs embed this text for three sizes; test/docs/capacityDocs.test.ts compares). */
export function formatCapacity(r: CapacityResult): string {
  const [scheduler, storage] = r.backends;
  if (!scheduler || !storage) throw new Error('expected estimates for the scheduler and Azure Storage backends');
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const tables = Object.entries(r.tableTransactionsPerSec)
    .map(([t, v]) => `${t} ${n(v)}`)
    .join(', ');
  const lines = [
    row(['', 'Durable Task Scheduler', 'Azure Storage provider']),
    row(['---', '---', '---']),
    row(['entity operations/s', n(r.entityOpsPerSec), n(r.entityOpsPerSec)]),
    row(['entity operations per 1,000 events', n(r.entityOpsPer1000Events), n(r.entityOpsPer1000Events)]),
    row([
      'orchestration actions/s (analysis schedule)',
      n(r.orchestrationActionsPerSec),
      n(r.orchestrationActionsPerSec),
    ]),
    row([
      'backend actions/s, ceiling',
      `${n(scheduler.actionsPerSec)} of ${n(scheduler.ceilingPerSec)}`,
      `${n(storage.actionsPerSec)} of ${n(storage.ceilingPerSec)}`,
    ]),
    row(['fits', scheduler.fits ? 'yes' : '**no**', storage.fits ? 'yes' : '**no**']),
    row([
      'scheduler SKU, capacity units',
      scheduler.sku === 'Consumption' ? 'Consumption, -' : `Dedicated, ${scheduler.capacityUnits}`,
      '-',
    ]),
    row([
      'Table transactions/s by table',
      tables,
      `${tables}, + ${n(storage.actionsPerSec * ASSUMPTIONS.azureStorageTransactionsPerOp)} task hub`,
    ]),
    row(['Event Hubs', `${r.eventHubs.tier}: ${r.eventHubs.note}`, `${r.eventHubs.tier}: ${r.eventHubs.note}`]),
    row([
      'CPU cores, Flex instances',
      `${n(r.cpuCores)}, ${r.flexInstances} x ${r.input.instanceMemoryMB} MB`,
      `${n(r.cpuCores)}, ${r.flexInstances} x ${r.input.instanceMemoryMB} MB`,
    ]),
    row([
      'monthly: Event Hubs + Flex + tables',
      usd(r.eventHubs.monthlyUsd + r.flexMonthlyUsd + r.tablesMonthlyUsd),
      usd(r.eventHubs.monthlyUsd + r.flexMonthlyUsd + r.tablesMonthlyUsd),
    ]),
    row(['monthly: durable backend', usd(scheduler.monthlyUsd), usd(storage.monthlyUsd)]),
    row(['monthly total (estimate)', usd(r.totalMonthlyUsd.scheduler), usd(r.totalMonthlyUsd.azureStorage)]),
  ];
  for (const w of r.warnings) lines.push('', `Warning: ${w}.`);
  return lines.join('\n');
}

/** The unit prices and the bench figures the estimate rests on. */
export function formatBasis(snapshot: BenchSnapshot): string {
  const e = snapshot.e2e;
  const lines = [
    `Unit prices (USD, as of ${PRICES_AS_OF}; unverified rows are assumptions, see tools/capacity/prices.ts):`,
    ...Object.entries(UNIT_PRICES).map(
      ([k, p]) => `  ${k}: $${p.usd} per ${p.unit}${p.verified ? '' : ' (unverified)'} - ${p.source}`,
    ),
    `Bench snapshot ${snapshot.measuredAt} at ${snapshot.commit.slice(0, 12)} (${snapshot.command}):`,
    `  host CPU ${e.cpuMsPer1000Events.host} ms per 1,000 events; ${e.entityOpsPer1000Events} entity operations per 1,000 events at ${e.scenario.streams} streams / ${e.scenario.partitions} partitions; table requests per 1,000 events ${JSON.stringify(e.tableRequestsPer1000EventsByTable)}`,
  ];
  return lines.join('\n');
}
