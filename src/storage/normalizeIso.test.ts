import { normalizeIso } from './normalizeIso';

describe('normalizeIso', () => {
  it('canonicalises zoned times and reads unzoned ones as UTC', () => {
    expect(normalizeIso('t', '2024-05-01T12:00:00+02:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(normalizeIso('t', '2024-05-01T10:00:00.123')).toBe('2024-05-01T10:00:00.123Z');
    expect(normalizeIso('t', '2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
  });

  it('names the field and the bad value', () => {
    expect(() => normalizeIso('since', 'yesterday')).toThrow(
      'since: expected an ISO 8601 time such as 2024-05-01T10:00:00Z, found "yesterday"',
    );
    expect(() => normalizeIso('since', '12345')).toThrow(/found "12345"/);
  });
});
