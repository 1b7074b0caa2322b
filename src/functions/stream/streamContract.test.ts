import * as df from 'durable-functions';

import {
  compilePipeline,
  encodeStreamKey,
  initialStreamState,
  mergePartial,
  processBatch,
  toStoredState,
} from '../../core';
import {
  type MergeInput,
  signalStream,
  validateCommitInput,
  validateFlushInput,
  validateMergeInput,
} from './streamContract';

const pipeline = { windowSizeMs: 60_000, hopMs: 60_000, allowedLatenessMs: 0, retention: 10 };
const partial = {
  pipeline: 'p',
  stream: 's',
  partition: '0',
  firstSequence: 1,
  lastSequence: 2,
  firstEventSequence: 1,
  events: 2,
  late: 0,
  invalid: 0,
  windows: [],
  totals: {},
  latency: {},
};
const key = encodeStreamKey('p', 's');
const mergeError = (input: unknown) => {
  const r = validateMergeInput(input, key);
  return r.ok ? 'ok' : r.error;
};

describe('stream operation inputs (zod schemas, messages "expected ..., found ...")', () => {
  it('accepts a sound merge and keeps fields the schema does not name', () => {
    const r = validateMergeInput({ partial: { ...partial, extra: 1 }, pipeline: { ...pipeline, name: 'p' } }, key);
    expect(r).toEqual({
      ok: true,
      value: { partial: { ...partial, extra: 1 }, pipeline: { ...pipeline, name: 'p' } },
    });
  });

  it('names the first problem of a merge, in the order the entity reads it', () => {
    expect(mergeError(null)).toBe('merge: expected { partial, pipeline }, found null');
    expect(mergeError([])).toBe('merge: expected { partial, pipeline }, found object');
    expect(mergeError({ partial: 3, pipeline: null })).toBe('merge: expected partial to be an object');
    expect(mergeError({ partial: { stream: 's' } })).toBe('merge: expected pipeline to be a pipeline config object');
    expect(mergeError({ partial: {}, pipeline: { ...pipeline, hopMs: 'x' } })).toBe(
      'merge: expected pipeline.hopMs to be a number, found "x"',
    );
    expect(mergeError({ partial, pipeline: { ...pipeline, retention: Infinity } })).toBe(
      'merge: expected pipeline.retention to be a number, found null',
    );
    expect(mergeError({ partial, pipeline: { ...pipeline, idleTimeoutMs: -1 } })).toBe(
      'merge: expected pipeline.idleTimeoutMs to be a non-negative number, found -1',
    );
    expect(mergeError({ partial, pipeline: { ...pipeline, version: 1.5 } })).toBe(
      'merge: expected pipeline.version to be a positive integer or absent, found 1.5',
    );
    expect(mergeError({ partial, pipeline: { ...pipeline, version: 0 } })).toBe(
      'merge: expected pipeline.version to be a positive integer or absent, found 0',
    );
    expect(mergeError({ partial: { ...partial, late: undefined }, pipeline })).toBe(
      'merge: expected partial.late to be a number, found undefined',
    );
    expect(mergeError({ partial: { ...partial, partition: 0 }, pipeline })).toBe(
      'merge: expected partial.partition to be a string',
    );
    expect(mergeError({ partial: { ...partial, totals: [] }, pipeline })).toBe(
      'merge: expected partial.windows (an array, or { packed }), partial.totals and partial.latency (objects)',
    );
    expect(mergeError({ partial: { ...partial, windows: { packed: 'AQA=', more: 1 } }, pipeline })).toBe(
      'merge: expected partial.windows (an array, or { packed }), partial.totals and partial.latency (objects)',
    );
    expect(mergeError({ partial: { ...partial, windows: { packed: 'CQA=' } }, pipeline })).toBe(
      'merge: expected partial.windows to be readable packed windows, found: unsupported packed windows encoding: expected version 1 or 2, found 9',
    );
    expect(mergeError({ partial: { ...partial, stream: 1 }, pipeline })).toBe(
      'merge: expected partial.pipeline and partial.stream to be strings',
    );
    expect(mergeError({ partial: { ...partial, stream: 't' }, pipeline })).toBe(
      'merge: expected a partial for {"pipeline":"p","stream":"s"}, found one for {"pipeline":"p","stream":"t"}',
    );
  });

  it('names the first problem of a commit and of a flush', () => {
    const commit = { partition: '0', firstSequence: 1, lastSequence: 2, pipeline };
    expect(validateCommitInput(commit)).toEqual({ ok: true, value: commit });
    expect(validateCommitInput(7)).toEqual({
      ok: false,
      error: 'commit: expected { partition, firstSequence, lastSequence, pipeline }, found number',
    });
    expect(validateCommitInput({ ...commit, partition: 0 })).toEqual({
      ok: false,
      error: 'commit: expected partition to be a string, found 0',
    });
    expect(validateCommitInput({ ...commit, lastSequence: '2' })).toEqual({
      ok: false,
      error: 'commit: expected lastSequence to be a number, found "2"',
    });
    expect(validateCommitInput({ ...commit, pipeline: { ...pipeline, windowSizeMs: null } })).toEqual({
      ok: false,
      error: 'commit: expected pipeline.windowSizeMs to be a number, found null',
    });
    expect(validateFlushInput({ now: 5 })).toEqual({ ok: true, value: { now: 5 } });
    expect(validateFlushInput({ now: 'soon' })).toEqual({
      ok: false,
      error: 'flush: expected { now: epoch milliseconds }, found {"now":"soon"}',
    });
    expect(validateFlushInput(undefined)).toEqual({
      ok: false,
      error: 'flush: expected { now: epoch milliseconds }, found undefined',
    });
  });

  it('sends a merge with its windows packed, which the entity reads back as the same windows, stored without packing again', async () => {
    const c = compilePipeline({
      name: 'p',
      measures: { delay: 'delay' },
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
      retention: 10,
    });
    if (!c.ok) throw new Error('pipeline');
    const T = Date.parse('2026-01-01T00:00:00Z');
    const real = processBatch({
      bodies: [0, 1, 2].map((h) => JSON.stringify({ stream: 's', time: T + h * 3_600_000 + 5, delay: h - 1 })),
      partitionId: '0',
      sequenceNumbers: [0, 1, 2],
      enqueuedTimes: [T, T, T],
      pipelines: [c.pipeline],
      now: T + 10_800_000,
    }).partials[0]!;
    const input: MergeInput = { partial: real, pipeline: c.pipeline.config };
    const sent: { operation: string; input: unknown }[] = [];
    const client = {
      signalEntity: (_: df.EntityId, operation: string, body: unknown) => {
        sent.push({ operation, input: JSON.parse(JSON.stringify(body)) });
        return Promise.resolve();
      },
    };
    await signalStream(client, new df.EntityId('stream', key), { kind: 'merge', input });
    const wire = sent[0]!.input as { partial: { windows: { packed: string } } };
    expect(sent[0]!.operation).toBe('merge');
    expect(wire.partial.windows).toEqual({ packed: expect.any(String) });
    expect(JSON.stringify(wire.partial.windows).length).toBeLessThan(JSON.stringify(real.windows).length / 2.5);
    // The caller's partial is not changed.
    expect(Array.isArray(input.partial.windows)).toBe(true);
    const r = validateMergeInput(wire, key);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.partial.windows).toEqual(real.windows);
    // Merged, the partial is pending, and the state stores its windows as the text that came in.
    const merged = mergePartial(initialStreamState(), r.value.partial, T + 10_800_000, c.pipeline.config);
    expect(merged.outcome).toBe('pending');
    expect(toStoredState(merged.state).partitions['0']?.pending?.windows).toEqual(wire.partial.windows);
    // Other operations, and a merge without windows, go as they are.
    await signalStream(client, new df.EntityId('stream', key), { kind: 'flush', input: { now: 5 } });
    const empty = { partial: { ...real, windows: [] }, pipeline: c.pipeline.config };
    await signalStream(client, new df.EntityId('stream', key), { kind: 'merge', input: empty });
    expect(sent.slice(1)).toEqual([
      { operation: 'flush', input: { now: 5 } },
      { operation: 'merge', input: JSON.parse(JSON.stringify(empty)) },
    ]);
  });
});
