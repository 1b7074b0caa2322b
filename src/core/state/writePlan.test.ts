import { CATALOG_LAG_REFRESHES, catalogDue, type IndexPlanInput, planCatalogWrite, planIndexWrite } from './writePlan';

const R = 5000;
const I = 120_000;
const L = CATALOG_LAG_REFRESHES * R;

describe('planCatalogWrite', () => {
  const base = { now: 100_000, refreshMs: R, events: 10 };
  it('writes a row never written, and never one that holds the exact total', () => {
    expect(planCatalogWrite({ ...base, op: 'merge', catalog: undefined })).toBe(true);
    for (const op of ['merge', 'commit', 'flush'] as const)
      expect(planCatalogWrite({ ...base, op, catalog: { at: 0, events: 10 } })).toBe(false);
  });
  it('rewrites a lagging row at most once per refresh interval on merges and commits, at once on a flush', () => {
    for (const op of ['merge', 'commit'] as const) {
      expect(planCatalogWrite({ ...base, op, catalog: { at: base.now - R + 1, events: 9 } })).toBe(false);
      expect(planCatalogWrite({ ...base, op, catalog: { at: base.now - R, events: 9 } })).toBe(true);
    }
    expect(planCatalogWrite({ ...base, op: 'flush', catalog: { at: base.now - 1, events: 9 } })).toBe(true);
  });
});

describe('planIndexWrite', () => {
  const input = (over: Partial<IndexPlanInput>): IndexPlanInput => ({
    op: 'merge',
    now: 100_000,
    refreshMs: R,
    events: 10,
    catalog: { at: 100_000, events: 10 },
    idleDue: 100_000 + I,
    idleTimeoutMs: I,
    previousMergeAt: 99_500,
    indexed: undefined,
    ...over,
  });

  it('the catalog refresh counts while the row lags, and for a busy stream (merged within R) while it is exact', () => {
    expect(catalogDue(input({ catalog: { at: 98_000, events: 9 } }))).toBe(98_000 + L);
    expect(catalogDue(input({}))).toBe(100_000 + L);
    expect(catalogDue(input({ previousMergeAt: 100_000 - R }))).toBeNull();
    expect(catalogDue(input({ previousMergeAt: null }))).toBeNull();
    expect(catalogDue(input({ op: 'flush' }))).toBeNull();
    expect(catalogDue(input({ catalog: undefined }))).toBeNull();
  });

  it('writes a row never written, every flush, and a change between due and never', () => {
    expect(planIndexWrite(input({}))).toEqual({ due: 100_000 + L, write: true });
    expect(planIndexWrite(input({ op: 'flush', indexed: 100_000 + I }))).toEqual({ due: 100_000 + I, write: true });
    expect(planIndexWrite(input({ op: 'commit', previousMergeAt: 0, idleDue: null, indexed: 5 }))).toEqual({
      due: null,
      write: true,
    });
    expect(planIndexWrite(input({ indexed: null }))).toMatchObject({ write: true });
    expect(planIndexWrite(input({ op: 'commit', previousMergeAt: 0, idleDue: null, indexed: null }))).toEqual({
      due: null,
      write: false,
    });
  });

  it('never leaves the row later than the due, and rewrites an early one only past a slack', () => {
    expect(planIndexWrite(input({ indexed: 100_000 + L + 1 }))).toEqual({ due: 100_000 + L, write: true });
    // The catalog refresh decides: slack L - 2R.
    expect(planIndexWrite(input({ indexed: 100_000 + 2 * R + 1 }))).toMatchObject({ write: false });
    expect(planIndexWrite(input({ indexed: 100_000 + 2 * R }))).toMatchObject({ write: true });
    // The idle flush decides (a sparse stream): slack half the timeout, and only once the row is due within L - 2R.
    const sparse = { previousMergeAt: 0, idleDue: 100_000 + I };
    expect(
      planIndexWrite(input({ ...sparse, idleDue: 100_000 + 2 * R + I / 2 - 1, indexed: 100_000 + 2 * R })),
    ).toMatchObject({ write: false });
    expect(planIndexWrite(input({ ...sparse, indexed: 100_000 + 2 * R + 1 }))).toMatchObject({ write: false });
    expect(planIndexWrite(input({ ...sparse, indexed: 100_000 + 2 * R }))).toMatchObject({ write: true });
    // A stream that just stopped being busy keeps its early row: if it turns busy again, no write was needed.
    expect(planIndexWrite(input({ ...sparse, indexed: 100_000 + L - 1 }))).toMatchObject({
      due: 100_000 + I,
      write: false,
    });
  });

  it.each([200, 4900])(
    'a busy stream (a merge every %i ms, a commit after every third): a catalog write per refresh, an index write per two, the row never late nor due',
    (gap) => {
      // For 60 s; the entity's own bookkeeping, as the adapter keeps it.
      let catalog: { at: number; events: number } | undefined;
      let indexed: number | null | undefined;
      let lastSeen: number | null = null;
      let events = 0;
      let catalogWrites = 0;
      let indexWrites = 0;
      for (let t = 0; t < 60_000; t += gap) {
        const ops = (t / gap) % 3 === 2 ? (['merge', 'commit'] as const) : (['merge'] as const);
        for (const op of ops) {
          const previousMergeAt = lastSeen;
          if (op === 'merge') {
            events += 3;
            lastSeen = t;
          }
          if (planCatalogWrite({ op, now: t, refreshMs: R, events, catalog })) {
            catalog = { at: t, events };
            catalogWrites++;
          }
          const plan = planIndexWrite({
            op,
            now: t,
            refreshMs: R,
            events,
            catalog,
            idleDue: (lastSeen ?? 0) + I,
            idleTimeoutMs: I,
            previousMergeAt: op === 'merge' ? previousMergeAt : lastSeen,
            indexed,
          });
          if (plan.write) {
            indexed = plan.due;
            indexWrites++;
          }
          // Never late: the row is due no later than the catalog's lag bound or the idle flush.
          const lagDue = catalog && catalog.events !== events ? catalog.at + L : Infinity;
          expect(indexed).not.toBeNull();
          expect(indexed as number).toBeLessThanOrEqual(Math.min(lagDue, (lastSeen ?? 0) + I));
          // Not due while the stream is busy: the timer does not flush an active stream.
          expect(indexed as number).toBeGreaterThan(t + gap);
        }
      }
      expect(catalogWrites).toBe(Math.ceil(60_000 / (Math.ceil(R / gap) * gap)));
      expect(indexWrites).toBeLessThanOrEqual(catalogWrites / 2 + 2);
    },
  );
});
