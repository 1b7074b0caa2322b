import { parseNdjson } from './parseNdjson';

describe('parseNdjson', () => {
  it('reads one value per line, skipping blanks', () => {
    expect(parseNdjson('{"a":1}\r\n\n[2]\n"x"\n')).toEqual([{ a: 1 }, [2], 'x']);
  });
  it('names the bad line', () => {
    expect(() => parseNdjson('{"a":1}\n{oops}\n')).toThrow(/NDJSON line 2 is not JSON/);
  });
});
