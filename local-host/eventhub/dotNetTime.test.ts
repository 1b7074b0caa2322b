import { dotNetDateTime, dotNetDateTimeOffset } from './dotNetTime';

describe('dotNetTime', () => {
  it.each([
    ['2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00'],
    ['2024-05-01T10:00:00.120Z', '2024-05-01T10:00:00.12'],
    ['2024-05-01T10:00:00.007Z', '2024-05-01T10:00:00.007'],
  ])('%s -> %s', (iso, expected) => {
    expect(dotNetDateTime(new Date(iso))).toBe(expected);
    expect(dotNetDateTimeOffset(new Date(iso))).toBe(`${expected}+00:00`);
  });

  it('parses back to the same instant when read as UTC', () => {
    const d = new Date('2023-12-31T23:59:59.999Z');
    expect(new Date(`${dotNetDateTime(d)}Z`).getTime()).toBe(d.getTime());
  });
});
