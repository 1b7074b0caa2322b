import { createMemoryStores, ENTITY_METRICS_PARTITION } from '../../storage';
import { entityMetricsInput, withFoldedEntityMetrics } from './entityMetrics';

describe('withFoldedEntityMetrics', () => {
  it('folds the counts of entities recording at once into a few row writes, losing none', async () => {
    const stores = createMemoryStores();
    const base = stores.ingestMetrics;
    let writes = 0;
    // Each call is one row write (a read-modify-write in the Table store).
    const recordOne = base.record.bind(base);
    base.record = async (input) => void (writes++, await recordOne(input));
    base.recordAll = async (inputs) => {
      writes++;
      for (const input of inputs) await recordOne(input);
    };
    const logged: string[] = [];
    const folded = withFoldedEntityMetrics(stores, (m) => {
      logged.push(m);
    });
    const at = '2026-12-07T10:00:30.000Z';
    const one = entityMetricsInput(Date.parse(at), { duplicatesSuppressed: 1 });
    // 150 entities recognising a redelivered batch's partials in the same moment.
    await Promise.all(Array.from({ length: 150 }, () => folded.ingestMetrics!.record(one)));
    let rows = await base.recent(Date.parse(at) - 60_000);
    for (let i = 0; i < 100 && (rows[0]?.duplicatesSuppressed ?? 0) < 150; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      rows = await base.recent(Date.parse(at) - 60_000);
    }
    expect(logged).toEqual([]);
    expect(rows.map((r) => [r.partition, r.duplicatesSuppressed, r.batches])).toEqual([
      [ENTITY_METRICS_PARTITION, 150, 0],
    ]);
    expect(logged).toEqual([]);
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('leaves stores without ingest metrics as they are', () => {
    const { windows, streams, deadLetters, activity } = createMemoryStores();
    const stores = { windows, streams, deadLetters, activity };
    expect(withFoldedEntityMetrics(stores, () => undefined)).toBe(stores);
  });
});
