/**
 * The chaos suite (tools/chaos, `npm run chaos`) with short outages: a real Azurite on a data directory is stopped
 * twice for 3 s and started again on the same data while events stream into the app on the local host (dist/, after
 * `npm run build`), with one dead-letter write and one entity signal failing by injection (STREAMFOLD_FAULTS). After the
 * drain every stream must be exact: nothing lost, nothing counted twice, every closed window stored. The test also
 * checks the faults and outages really happened, so a run that tested nothing cannot pass.
 */
import { type ChaosReport, runChaos } from '../../tools/chaos/runChaos';
import { repoRoot } from '../support/repoRoot';

jest.setTimeout(240_000);

describe('chaos: storage outages and injected faults while streaming', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({
      repoRoot,
      durationSeconds: 15,
      outages: 2,
      outageSeconds: 3,
      rate: 200,
      streams: 7,
      invalidEvery: 20,
      faults: 'deadLetterWrite:1,signal:1',
      drainTimeoutSeconds: 150,
    });
    // What the run saw, for the log of a failing run (the assertions below say what is off, this says why).
    if (!report.ok)
      console.log(
        JSON.stringify(
          { failures: report.failures, host: report.host, outages: report.outages, faults: report.faults },
          null,
          1,
        ),
      );
  });

  it('injected each planned fault once and the app noticed both outages', () => {
    expect(report.faults.injected).toEqual({ deadLetterWrite: 1, signal: 1 });
    expect(report.outages).toHaveLength(2);
    for (const outage of report.outages) expect(outage.storageErrorLines).toBeGreaterThan(0);
    // Some events were malformed on purpose, so the dead-letter path was exercised.
    expect(report.deadLetters.byReason['invalid-json']).toBeGreaterThan(0);
  });

  it('drained and counted every stream exactly: lost 0 and doubleCounted 0 per stream', () => {
    expect({ drained: report.drained, settled: report.settled }).toEqual({ drained: true, settled: true });
    expect(Object.keys(report.perStream)).toHaveLength(7);
    const exact = Object.fromEntries(
      Object.entries(report.perStream).map(([s, r]) => [
        s,
        {
          lost: r.lost,
          doubleCounted: r.doubleCounted,
          sumDelta: r.sumDelta,
          unsavedWindowEvents: r.unsavedWindowEvents,
        },
      ]),
    );
    const want = Object.fromEntries(
      Object.keys(report.perStream).map((s) => [s, { lost: 0, doubleCounted: 0, sumDelta: 0, unsavedWindowEvents: 0 }]),
    );
    expect(exact).toEqual(want);
    expect(report.sent).toBe(report.counted + report.deadLettered);
    expect(report.deadLetters).toMatchObject({ unknown: 0, rawMismatch: 0, duplicates: 0 });
    expect(report.failures).toEqual([]);
  });
});
