import { encodeStreamKey } from '../../core';
import { validateCommitInput, validateFlushInput, validateMergeInput } from './streamContract';

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
      'merge: expected partial.windows (array), partial.totals and partial.latency (objects)',
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
});
