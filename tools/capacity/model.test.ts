import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  analysisActionsPerRun,
  type BenchSnapshot,
  type CapacityInput,
  capacityModel,
  expectedDistinct,
} from './model';

const snapshot = JSON.parse(readFileSync(join(__dirname, 'benchSnapshot.json'), 'utf8')) as BenchSnapshot;
const base: CapacityInput = {
  eventsPerSec: 100_000,
  streams: 10_000,
  partitions: 32,
  batch: 1000,
  flushIntervalMs: 0,
  analysisEveryMinutes: 60,
  windowSeconds: 60,
  instanceMemoryMB: 2048,
};

describe('capacity model', () => {
  it('the committed bench snapshot carries what the model reads, with its date and commit', () => {
    expect(snapshot.measuredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(snapshot.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(snapshot.e2e.cpuMsPer1000Events.host).toBeGreaterThan(0);
    expect(snapshot.e2e.scenario.streams).toBeGreaterThan(0);
    expect(snapshot.e2e.tableRequestsPer1000EventsByTable['Streams']).toBeGreaterThan(0);
  });

  it('expectedDistinct: one event touches one stream, many events touch all of them', () => {
    expect(expectedDistinct(1, 100)).toBeCloseTo(1, 10);
    expect(expectedDistinct(100_000, 100)).toBeCloseTo(100, 6);
    expect(expectedDistinct(50, 1)).toBe(1);
  });

  it('interval 0: one operation per stream per batch (plus commits), tens of thousands at 100k events/s over 10k streams', () => {
    const r = capacityModel(base, snapshot.e2e);
    // 3,125 events/s per partition in batches of 1,000 over 312.5 streams: ~300 distinct per batch, 3.125 batches/s.
    expect(r.eventsPerBatch).toBe(1000);
    expect(r.entityOpsPerSec).toBeGreaterThan(29_000);
    expect(r.entityOpsPerSec).toBeLessThan(32_000);
    expect(r.backends.find((b) => b.backend === 'scheduler')?.fits).toBe(false);
    expect(r.warnings.join(' ')).toMatch(/exceed the scheduler/);
  });

  it('coalescing: each stream at most once per interval; operations fall as the interval grows', () => {
    const ops = [0, 1000, 2000, 5000].map(
      (ms) => capacityModel({ ...base, flushIntervalMs: ms }, snapshot.e2e).entityOpsPerSec,
    );
    for (let i = 1; i < ops.length; i++) expect(ops[i]).toBeLessThan(ops[i - 1] as number);
    // PT2S: every stream of a partition is present in every flush: 10,000 streams / 2 s, no commits.
    expect(ops[2]).toBe(5000);
    const r = capacityModel({ ...base, flushIntervalMs: 2000 }, snapshot.e2e);
    expect(r.backends.find((b) => b.backend === 'scheduler')).toMatchObject({
      fits: true,
      sku: 'Dedicated',
      capacityUnits: 3,
    });
    expect(r.backends.find((b) => b.backend === 'azureStorage')?.fits).toBe(false);
    expect(r.tableTransactionsPerSec['IngestBuffer']).toBeGreaterThan(0);
    expect(capacityModel(base, snapshot.e2e).tableTransactionsPerSec['IngestBuffer']).toBeUndefined();
  });

  it('Event Hubs: Standard TUs up to 40, then Premium; CPU and Flex instances scale with events', () => {
    const small = capacityModel({ ...base, eventsPerSec: 1000, streams: 100, partitions: 4 }, snapshot.e2e);
    expect(small.eventHubs).toMatchObject({ tier: 'Standard', units: 1 });
    expect(small.backends.find((b) => b.backend === 'scheduler')?.sku).toBe('Consumption');
    const big = capacityModel(base, snapshot.e2e);
    expect(big.eventHubs.tier).toBe('Premium');
    expect(big.flexInstances).toBeGreaterThan(small.flexInstances);
    expect(big.cpuCores).toBeCloseTo((100 * (snapshot.e2e.cpuMsPer1000Events.host as number)) / 1000, 1);
  });

  it('the analysis schedule: start, list, two actions per chunk, sub-orchestrations above 500 streams', () => {
    expect(analysisActionsPerRun(100)).toBe(1 + 2 + 2 * 4 + 2 + 2);
    expect(analysisActionsPerRun(1000)).toBe(1 + 2 + 2 * 40 + 3 * 2 + 2 + 2);
  });

  it('rejects input it cannot model, naming the field', () => {
    expect(() => capacityModel({ ...base, partitions: 0 }, snapshot.e2e)).toThrow(
      /expected partitions to be a positive number, found 0/,
    );
    expect(() => capacityModel({ ...base, flushIntervalMs: -1 }, snapshot.e2e)).toThrow(/flushIntervalMs/);
  });
});
