import { decodeReplay, encodeReplay, type ReplayMark } from './envelope';

const mark: ReplayMark = {
  partition: '3',
  sequenceNumber: 41,
  enqueuedTime: '2026-03-01T00:00:00.000Z',
  pipeline: 'p',
  replayId: 'r1',
};

describe('replay envelope', () => {
  it('round-trips a mark and raw body through text and bytes', () => {
    const raw = '{"val":1e309,"s":"\u00e9"}';
    const text = encodeReplay(mark, raw);
    expect(decodeReplay(text)).toEqual({ mark, raw });
    expect(decodeReplay(Buffer.from(text, 'utf8'))).toEqual({ mark, raw });
    expect(decodeReplay(encodeReplay({ ...mark, pipeline: null }, ''))).toEqual({
      mark: { ...mark, pipeline: null },
      raw: '',
    });
  });

  it('leaves ordinary events alone and names a malformed envelope', () => {
    expect(decodeReplay(Buffer.from('{"stream":"a","value":1}'))).toBeUndefined();
    expect(decodeReplay(Buffer.alloc(0))).toBeUndefined();
    expect(decodeReplay({ streamfoldReplay: mark })).toBeUndefined();
    expect(decodeReplay('{"streamfoldReplay":{"partition":3},"raw":"x"}')).toEqual({
      malformed: expect.stringContaining('expected a replay envelope'),
    });
    expect(decodeReplay(Buffer.from('{"streamfoldReplay":'))).toEqual({
      malformed: expect.stringContaining('expected a replay envelope'),
    });
  });
});
