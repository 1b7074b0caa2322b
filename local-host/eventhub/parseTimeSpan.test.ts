import type { HostUserError } from '../errors';
import { parseTimeSpan } from './parseTimeSpan';

describe('parseTimeSpan', () => {
  it.each([
    ['00:00:05', 5000],
    ['00:01:00', 60_000],
    ['01:00:00', 3_600_000],
    ['1.00:00:00', 86_400_000],
    ['00:00:00.250', 250],
    ['00:00:01.5', 1500],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseTimeSpan(text, 'x')).toBe(ms);
  });

  it.each(['5', '00:60:00', 'abc', '', '00:00'])('rejects %j naming the setting', (text) => {
    expect(() => parseTimeSpan(text, 'extensions.eventHubs.maxWaitTime')).toThrow(/extensions\.eventHubs\.maxWaitTime/);
    expect(() => parseTimeSpan(text, 'x')).toThrow(expect.objectContaining({ kind: 'config' }) as HostUserError);
  });
});
