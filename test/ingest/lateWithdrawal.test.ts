import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import { summarizeIngestMetrics } from '../../src/functions/api/summarizeIngestMetrics';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { LateWithdrawal } from '../../src/functions/ingest/lateWithdrawal';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, ingestProcess, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const ev = (second: number, value: number) =>
  JSON.stringify({ stream: 's', time: new Date(T0 + second * 1000).toISOString(), value });
// Partition 0 in sequence order. The default pipeline's lateness is 30 s: once seq 1 (200 s) was aggregated by an
// earlier batch, seq 2 (120 s) and seq 3 (130 s) are late; a process that starts at seq 2 has no marks and takes them.
const EVENTS = [ev(100, 1), ev(200, 2), ev(120, 4), ev(130, 8), ev(210, 16)];

/** One ingest process: its own process-local caches (watermarks, batches, late-attempt memory), the shared stores. */
function setup() {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const now = T0 + 10 * 60_000;
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
      () => now,
    ),
  );
  const process = (): IngestDeps => ({
    ...ingestProcess(stores),
    lateWithdrawal: new LateWithdrawal(stores),
    now: () => now,
    signal: driver.signal,
  });
  const batch = async (deps: IngestDeps, first: number, last: number) => {
    await deliver(deps, '0', first, EVENTS.slice(first, last + 1));
    await deps.metrics.flush();
  };
  const deadLetters = async () =>
    (await stores.deadLetters.query()).items.map((d) => `${d.sequenceNumber}:${d.reason}`);
  const totals = async () => {
    const v = await view(driver, encodeStreamKey('default', 's'));
    return { events: v.events, sum: v.totals['value']?.sum };
  };
  const metrics = async () => {
    const s = summarizeIngestMetrics(await stores.ingestMetrics.recent(0), now - 3_600_000, now + 60_000);
    return { events: s.events, aggregated: s.aggregated, deadLettered: s.deadLettered, lateWithdrawn: s.lateWithdrawn };
  };
  return { stores, process, batch, deadLetters, totals, metrics };
}

describe('ingest rule 7: a late dead letter is withdrawn when a redelivery aggregates its event', () => {
  it('attempt 1 dead-letters seq 2 late and dies before the checkpoint; a fresh process cut [2..4] aggregates it: counted once, no dead letter left', async () => {
    const t = setup();
    const a = t.process();
    await t.batch(a, 0, 1);
    await t.batch(a, 2, 3); // seq 2 late (120 s < 200 s - 30 s); seq 3 (130 s) too. The partials of [2..3] are pending.
    expect(await t.deadLetters()).toEqual(['2:late', '3:late']);
    // The process dies before the checkpoint of [2..3]: a fresh one gets the events again from seq 2, cut differently.
    await t.batch(t.process(), 2, 4);
    expect(await t.deadLetters()).toEqual([]);
    expect(await t.totals()).toEqual({ events: 5, sum: 31 });
    // Deliveries: 2 + 2 (attempt 1, both dead letters withdrawn) + 3; events = aggregated + filtered + deadLettered.
    expect(await t.metrics()).toEqual({ events: 5, aggregated: 5, deadLettered: 0, lateWithdrawn: 2 });
  });

  it('a redelivery cut shorter withdraws the rest when its next batch takes them (the record is carried, no second read)', async () => {
    const t = setup();
    const a = t.process();
    await t.batch(a, 0, 1);
    await t.batch(a, 2, 3);
    const b = t.process();
    await t.batch(b, 2, 2); // aggregates seq 2; seq 3 is beyond this batch, its dead letter stays listed
    expect(await t.deadLetters()).toEqual(['3:late']);
    expect((await t.stores.lateAttempts.get('0'))?.letters.map((l) => l.sequenceNumber)).toEqual([3]);
    const reads = jest.spyOn(t.stores.lateAttempts, 'get');
    await t.batch(b, 3, 4); // contiguous: judged with the record b holds
    expect(reads).not.toHaveBeenCalled();
    expect(await t.deadLetters()).toEqual([]);
    expect(await t.totals()).toEqual({ events: 5, sum: 31 });
  });

  it('a redelivery that judges the events late again keeps their dead letters (and the event is not aggregated)', async () => {
    const t = setup();
    const a = t.process();
    await t.batch(a, 0, 1);
    await t.batch(a, 2, 3);
    const b = t.process();
    await t.batch(b, 0, 1);
    await t.batch(b, 2, 4);
    expect(await t.deadLetters()).toEqual(['2:late', '3:late']);
    expect(await t.totals()).toEqual({ events: 3, sum: 19 });
    expect((await t.metrics()).lateWithdrawn).toBe(0);
  });

  it('a crash between writing the record and the dead letters leaves none unlisted: the redelivery withdraws what was written', async () => {
    const t = setup();
    const a = t.process();
    await t.batch(a, 0, 1);
    // Attempt 1 of [2..3] dies inside the dead-letter write after the table took it (the record was written before).
    const real = t.stores.deadLetters.add.bind(t.stores.deadLetters);
    const add = jest.spyOn(t.stores.deadLetters, 'add').mockImplementation(async (records) => {
      await real(records);
      throw Object.assign(new Error('simulated: the process died after the table took the write'), { statusCode: 503 });
    });
    await expect(t.batch({ ...a, retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0 } }, 2, 3)).rejects.toThrow(
      'process died',
    );
    add.mockRestore();
    expect((await t.stores.lateAttempts.get('0'))?.letters.map((l) => l.sequenceNumber)).toEqual([2, 3]);
    expect(await t.deadLetters()).toEqual(['2:late', '3:late']);
    await t.batch(t.process(), 2, 4);
    expect(await t.deadLetters()).toEqual([]);
    expect(await t.totals()).toEqual({ events: 5, sum: 31 });
  });
});
