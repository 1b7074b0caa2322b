import fc from 'fast-check';

import { CHUNK_CHARS, joinText, MAX_TEXT_CHARS, splitText } from './chunkedText';
import { StorageInputError } from './StorageInputError';

describe('splitText/joinText', () => {
  it('keeps short text in one property without a count', () => {
    expect(splitText('data', '{"a":1}')).toEqual({ data: '{"a":1}' });
    expect(joinText('data', { data: '{"a":1}' })).toBe('{"a":1}');
  });

  it('splits long text into bounded chunks and joins it back', () => {
    const text = 'x'.repeat(CHUNK_CHARS * 2 + 5);
    const props = splitText('data', text);
    expect(props.dataChunks).toBe(3);
    expect(Object.keys(props).sort()).toEqual(['data', 'dataChunks', 'data_1', 'data_2']);
    for (const [k, v] of Object.entries(props))
      if (k !== 'dataChunks') expect((v as string).length).toBeLessThanOrEqual(CHUNK_CHARS);
    expect(joinText('data', props)).toBe(text);
  });

  it('never splits a surrogate pair', () => {
    const text = 'a'.repeat(CHUNK_CHARS - 1) + '😀' + 'b';
    const props = splitText('raw', text);
    expect((props.raw as string).endsWith('a')).toBe(true);
    expect((props.raw_1 as string).startsWith('😀')).toBe(true);
    expect(joinText('raw', props)).toBe(text);
  });

  it('round-trips arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) =>
        expect(joinText('d', splitText('d', s))).toBe(s),
      ),
    );
  });

  it('rejects text beyond the entity budget naming the property and sizes', () => {
    expect(() => splitText('definition', 'x'.repeat(MAX_TEXT_CHARS + 1))).toThrow(StorageInputError);
    expect(() => splitText('definition', 'x'.repeat(MAX_TEXT_CHARS + 1))).toThrow(
      `definition: expected at most ${MAX_TEXT_CHARS} characters once serialized, found ${MAX_TEXT_CHARS + 1}`,
    );
  });

  it('reports a missing chunk', () => {
    expect(() => joinText('data', { data: 'a', dataChunks: 2 })).toThrow(/missing text chunk 1 of 2/);
  });
});
