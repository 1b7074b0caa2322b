import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { createMemoryStores } from '../../storage';
import { BatchMemory } from './batchMemory';
import { FaultInjector, InjectedFault, parseFaultPlan, withInjectedFaults } from './faultInjection';
import type { IngestDeps } from './ingest';
import { IngestMetricsWriter } from './ingestMetricsWriter';
import { PipelineCache } from './pipelineCache';
import { WatermarkCache } from './watermarkCache';

describe('parseFaultPlan', () => {
  it('reads point:count and point:count@after, and nothing from an empty setting', () => {
    expect([...parseFaultPlan('deadLetterWrite:1, signal:2@200')]).toEqual([
      ['deadLetterWrite', { count: 1, after: 0 }],
      ['signal', { count: 2, after: 200 }],
    ]);
    expect(parseFaultPlan(undefined).size).toBe(0);
    expect(parseFaultPlan(' ').size).toBe(0);
  });

  it('names the entry it cannot read and the expected form', () => {
    expect(() => parseFaultPlan('signals:1')).toThrow(
      /STREAMFOLD_FAULTS: expected entries like "deadLetterWrite:1".*found "signals:1"/,
    );
    expect(() => parseFaultPlan('signal')).toThrow(/found "signal"/);
    expect(() => parseFaultPlan('signal:1,signal:2')).toThrow(/expected each point once, found signal twice/);
  });
});

describe('FaultInjector', () => {
  it('fails exactly the planned calls of a point, logging each, and leaves the others alone', () => {
    const log: string[] = [];
    const faults = new FaultInjector(parseFaultPlan('signal:2@1'), (m) => log.push(m));
    const outcomes = Array.from({ length: 5 }, () => {
      try {
        faults.check('signal');
        return 'ok';
      } catch (e) {
        return e instanceof InjectedFault && e.statusCode === 503 ? 'fault' : 'other';
      }
    });
    expect(outcomes).toEqual(['ok', 'fault', 'fault', 'ok', 'ok']);
    expect(() => faults.check('deadLetterWrite')).not.toThrow();
    expect(log).toEqual(['fault injected: signal (1 of 2)', 'fault injected: signal (2 of 2)']);
  });
});

describe('withInjectedFaults', () => {
  const deps = (signals: string[]): IngestDeps => {
    const stores = createMemoryStores();
    return {
      stores,
      metrics: new IngestMetricsWriter(stores.ingestMetrics, () => undefined),
      pipelines: new PipelineCache(stores.pipelines, 1000),
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      signal: async (_context, entity) => {
        signals.push(entity.key);
      },
      now: Date.now,
    };
  };
  const record = {
    raw: 'x',
    reason: 'invalid-json',
    detail: 'd',
    partition: '0',
    sequenceNumber: 1,
    enqueuedTime: '2024-05-01T00:00:00.000Z',
    recordedAt: '2024-05-01T00:00:00.000Z',
  };

  it('returns the deps unchanged when the setting asks for nothing', () => {
    const d = deps([]);
    expect(withInjectedFaults(d, undefined, () => undefined)).toBe(d);
  });

  it('fails the first dead-letter write and the first signal once, then passes calls through to the real ones', async () => {
    const signals: string[] = [];
    const log: string[] = [];
    const d = withInjectedFaults(deps(signals), 'deadLetterWrite:1,signal:1', (m) => log.push(m));
    const context = {} as InvocationContext;
    const entity = new df.EntityId('stream', 'k');
    await expect(d.stores.deadLetters.add([record])).rejects.toThrow(InjectedFault);
    await d.stores.deadLetters.add([record]);
    expect((await d.stores.deadLetters.query()).items).toHaveLength(1);
    await expect(d.signal(context, entity, { kind: 'flush', input: { now: 1 } })).rejects.toThrow(
      /injected transient fault at signal/,
    );
    await d.signal(context, entity, { kind: 'flush', input: { now: 1 } });
    expect(signals).toEqual(['k']);
    expect(log.filter((m) => m.startsWith('fault injected:'))).toEqual([
      'fault injected: deadLetterWrite (1 of 1)',
      'fault injected: signal (1 of 1)',
    ]);
  });
});
