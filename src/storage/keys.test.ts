import fc from 'fast-check';

import { dayKey, deadLetterPartitionKey, deadLetterRowKey, hourKey, minuteKey, prefixEnd, windowRowKey } from './keys';

describe('keys', () => {
  it('windowRowKey sorts like the numbers it encodes', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        expect(windowRowKey(a) < windowRowKey(b)).toBe(a < b);
      }),
    );
    expect(windowRowKey(1_714_557_600_000)).toBe('0001714557600000');
  });

  it('windowRowKey rejects negative and fractional starts naming the field', () => {
    expect(() => windowRowKey(-1)).toThrow('start: expected a non-negative integer epoch-ms time, found -1');
    expect(() => windowRowKey(1.5, 'from')).toThrow(/^from: /);
  });

  it('deadLetterRowKey escapes names and pads sequence numbers', () => {
    expect(deadLetterRowKey('3', 42, 'a/b')).toBe('3|00000000000000000042|a%2Fb');
    expect(deadLetterRowKey('3', 42, undefined)).toBe('3|00000000000000000042|');
    expect(() => deadLetterRowKey('3', -2, undefined)).toThrow(
      /sequenceNumber: expected a non-negative integer, found -2/,
    );
  });

  it("deadLetterRowKey adds the stream when given (a 'storage' record), so it never overwrites an event's record", () => {
    expect(deadLetterRowKey('3', 42, 'p', 'a/b|c')).toBe('3|00000000000000000042|p|a%2Fb|c');
    expect(deadLetterRowKey('3', 42, 'p', 'a')).not.toBe(deadLetterRowKey('3', 42, 'p'));
  });

  it('day and minute keys', () => {
    expect(dayKey('2024-05-01T23:59:59.999Z')).toBe('2024-05-01');
    expect(minuteKey(Date.parse('2024-05-01T10:07:59.999Z'))).toBe('2024-05-01T10:07');
    expect(hourKey('2024-05-01T10:59:59.999Z')).toBe('2024-05-01T10');
  });

  it('dead letters partition by hour and Event Hubs partition, after the day-keyed rows of their day', () => {
    expect(deadLetterPartitionKey('2024-05-01T10:07:00.000Z', 'a/b')).toBe('2024-05-01T10|a%2Fb');
    expect(dayKey('2024-05-01T23:00:00.000Z') < deadLetterPartitionKey('2024-05-01T00:00:00.000Z', '0')).toBe(true);
    expect(deadLetterPartitionKey('2024-05-01T23:59:00.000Z', '9') < dayKey('2024-05-02T00:00:00.000Z')).toBe(true);
  });

  it('prefixEnd bounds exactly the strings with the prefix', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (prefix, rest, other) => {
        expect(prefix + rest < prefixEnd(prefix)).toBe(true);
        if (!other.startsWith(prefix) && other > prefix) expect(other >= prefixEnd(prefix)).toBe(true);
      }),
    );
  });
});
