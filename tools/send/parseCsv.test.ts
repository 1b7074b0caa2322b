import { parseCsv } from './parseCsv';

describe('parseCsv', () => {
  it('reads a header and typed cells', () => {
    expect(parseCsv('stream,time,value\ns-1,2024-01-01T00:00:00Z,1.5\r\ns-2,2024-01-01T00:00:01Z,-2\n')).toEqual([
      { stream: 's-1', time: '2024-01-01T00:00:00Z', value: 1.5 },
      { stream: 's-2', time: '2024-01-01T00:00:01Z', value: -2 },
    ]);
  });
  it('handles quotes, doubled quotes, commas and newlines in fields, and skips blank lines', () => {
    expect(parseCsv('a,b\n"x, ""y""","line1\nline2"\n\n3,\n')).toEqual([{ a: 'x, "y"', b: 'line1\nline2' }, { a: 3 }]);
  });
  it('names the problem', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/not closed/);
    expect(() => parseCsv('a,b\n1,2,3')).toThrow(/row 2 has 3 fields but the header has 2/);
  });
});
