import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { applyStreamChange, DEFAULT_IDLE_TIMEOUT_MS, flushDueOf } from './streamPolicy';
import { initialStreamState } from './streamState';

const T0 = Date.parse('2026-11-26T10:00:00Z');

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

function partialOf(p: CompiledPipeline, minutes: number[], first: number): StreamPartial {
  const partials = processBatch({
    bodies: minutes.map((m, i) => JSON.stringify({ stream: 'a', time: T0 + m * 60_000 + i, value: i })),
    partitionId: '0',
    sequenceNumbers: minutes.map((_, i) => first + i),
    enqueuedTimes: minutes.map(() => T0),
    pipelines: [p],
    now: T0,
  }).partials;
  if (partials.length !== 1) throw new Error(`expected one partial, found ${partials.length}`);
  return partials[0] as StreamPartial;
}

describe('applyStreamChange', () => {
  const p = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, idleTimeout: 'PT5M' });

  it('plans the writes of a merge (keeping the idle timeout) and of a commit, and none for a redelivered batch', () => {
    const state = initialStreamState();
    const partial = partialOf(p, [0, 0, 1], 0);
    const first = applyStreamChange(state, { kind: 'merge', input: { partial, pipeline: p.config } }, T0 + 1000);
    expect({
      writes: first.writes,
      at: first.at,
      previousMergeAt: first.previousMergeAt,
      timeout: first.state.idle?.timeoutMs,
    }).toEqual({
      writes: 'merge',
      at: T0 + 1000,
      previousMergeAt: null,
      timeout: 300_000,
    });
    const commit = applyStreamChange(
      first.state,
      { kind: 'commit', input: { partition: '0', firstSequence: 0, lastSequence: 2, pipeline: p.config } },
      T0 + 1500,
    );
    expect({ outcome: commit.outcome, writes: commit.writes, previousMergeAt: commit.previousMergeAt }).toEqual({
      outcome: 'committed',
      writes: 'commit',
      previousMergeAt: commit.state.lastSeen,
    });
    // The same batch again once committed (a redelivery after the checkpoint was lost): nothing changes, nothing is written.
    const again = applyStreamChange(commit.state, { kind: 'merge', input: { partial, pipeline: p.config } }, T0 + 2000);
    expect({ outcome: again.outcome, writes: again.writes, closed: again.closedWindows.length }).toEqual({
      outcome: 'ignored',
      writes: null,
      closed: 0,
    });
  });

  it('plans no write for a commit with nothing pending, and closes the windows of an idle stream at the flush clock', () => {
    const state = initialStreamState();
    const nothing = applyStreamChange(
      state,
      { kind: 'commit', input: { partition: '0', firstSequence: 0, lastSequence: 1, pipeline: p.config } },
      T0,
    );
    expect({ outcome: nothing.outcome, writes: nothing.writes }).toEqual({ outcome: 'nothing-pending', writes: null });
    const merged = applyStreamChange(
      state,
      { kind: 'merge', input: { partial: partialOf(p, [0, 1], 0), pipeline: p.config } },
      T0,
    );
    expect(flushDueOf(merged.state)).toBe((merged.state.lastSeen ?? NaN) + 300_000);
    const flush = applyStreamChange(merged.state, { kind: 'flush', input: { now: T0 + 3_600_000 } }, T0 + 1);
    expect({ writes: flush.writes, at: flush.at, closed: flush.closedWindows.length }).toEqual({
      writes: 'flush',
      at: T0 + 3_600_000,
      closed: 2,
    });
    expect(flushDueOf(flush.state)).toBeNull();
  });

  it('uses the documented idle timeout when a pipeline config has none', () => {
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(120_000);
  });
});
