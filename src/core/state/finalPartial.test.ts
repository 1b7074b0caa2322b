import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { initialStreamState, mergePartial, streamView } from './streamState';

/**
 * A final partial (coalescing, docs/explanation/effectively-once.md rule 3a): every batch of its range is known
 * checkpointed, so the entity commits it on merge; a re-send of it (a claim sent again) is a duplicate.
 */
const T0 = Date.parse('2026-11-26T10:00:00Z');

function pipeline(): CompiledPipeline {
  const r = compilePipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT30S' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

function partial(p: CompiledPipeline, partition: string, first: number, seconds: number[]): StreamPartial {
  const out = processBatch({
    bodies: seconds.map((s) => JSON.stringify({ stream: 'a', time: T0 + s * 1000, value: s })),
    partitionId: partition,
    sequenceNumbers: seconds.map((_, i) => first + i),
    enqueuedTimes: seconds.map(() => T0),
    pipelines: [p],
    now: T0,
  }).partials[0];
  if (!out) throw new Error('expected a partial');
  return out;
}

describe('final partials', () => {
  it('are committed on merge: the partition moves its watermark at once and nothing stays pending', () => {
    const p = pipeline();
    const s0 = initialStreamState();
    const pending = mergePartial(s0, partial(p, '0', 0, [1, 100]), T0, p.config);
    expect(pending.state.partitions['0']).toMatchObject({ committed: -1, watermark: null });
    expect(pending.state.partitions['0']?.pending).not.toBeNull();

    const final = mergePartial(s0, { ...partial(p, '0', 0, [1, 100]), final: true }, T0, p.config);
    expect(final.state.partitions['0']).toMatchObject({ committed: 1, pending: null, watermark: T0 + 100_000 });
    // One partition, committed through 1:40: minute 0 closed, minute 1 live.
    expect(final.closedWindows.map((w) => [(w.start - T0) / 60_000, w.events])).toEqual([[0, 1]]);
    expect(streamView(final.state).windows.map((w) => [(w.start - T0) / 60_000, w.events])).toEqual([[1, 1]]);

    // Sent again (a standing claim re-sent): a duplicate, counted once.
    const again = mergePartial(final.state, { ...partial(p, '0', 0, [1, 100]), final: true }, T0, p.config);
    expect(again.outcome).toBe('ignored');
    expect(again.state.events).toBe(2);
    expect(again.state.duplicates).toBe(1);
  });

  it('commits the pending partial it follows, as any later partial of the partition does', () => {
    const p = pipeline();
    const first = mergePartial(initialStreamState(), partial(p, '0', 0, [1]), T0, p.config);
    const next = mergePartial(first.state, { ...partial(p, '0', 1, [2, 3]), final: true }, T0, p.config);
    expect(next.outcome).toBe('committed-previous');
    expect(next.state.partitions['0']).toMatchObject({ committed: 2, pending: null });
    expect(next.state.events).toBe(3);
  });
});
