import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { processBatch, type StreamPartial } from '../../batch';
import { compilePipeline } from '../../pipelines';
import { initialStreamState, mergePartial, streamView } from '../../state';
import { aggregatorKinds, registerAggregator } from '../registry';
import { aggregatorContract } from '../testing/contract';
import { lastString } from './lastString';

// Step 3 of the how-to: the one line it adds to registry.ts (here, because the toy kind is not shipped).
registerAggregator(lastString);

describe('last (the how-to example aggregator)', () => {
  aggregatorContract({
    aggregator: lastString,
    options: {},
    value: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()),
    laws: 'exact',
  });

  it('once registered, pipelines can name it, and it flows to the live view', () => {
    expect(aggregatorKinds()).toContain('last');
    const c = compilePipeline({ name: 'p', key: 'user', aggregates: { lastPage: { kind: 'last', expr: 'page' } } });
    if (!c.ok) throw new Error(JSON.stringify(c.issues));
    const T0 = Date.parse('2026-11-26T10:00:00Z');
    const events = [
      { user: 'u', page: 'cart', time: T0 + 3 },
      { user: 'u', page: 'home', time: T0 + 1 },
      { user: 'u', time: T0 + 9 }, // no page: skipped (and no value at all: dead-lettered)
    ];
    const r = processBatch({
      bodies: events.map((e) => JSON.stringify(e)),
      partitionId: '0',
      sequenceNumbers: [0, 1, 2],
      enqueuedTimes: [T0, T0, T0],
      pipelines: [c.pipeline],
      now: T0,
    });
    const state = mergePartial(initialStreamState(), r.partials[0] as StreamPartial, T0, c.pipeline.config).state;
    expect(streamView(state).aggregateTotals).toEqual({ lastPage: { kind: 'last', value: 'cart' } });
    expect(compilePipeline({ name: 'p', aggregates: { x: { kind: 'last', expr: 'page', n: 1 } } }).ok).toBe(false);
  });

  it('is the code the how-to shows, byte for byte', () => {
    const howTo = readFileSync(
      join(__dirname, '..', '..', '..', '..', 'docs', 'how-to', 'add-an-aggregate.md'),
      'utf8',
    );
    const blocks = [...howTo.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(readFileSync(join(__dirname, 'lastString.ts'), 'utf8'));
  });
});
