import fc from 'fast-check';

import { matchesSchedule, nextOccurrence } from './nextOccurrence';
import { parseNcrontab } from './parseNcrontab';

const at = (iso: string): Date => new Date(iso);

describe('nextOccurrence', () => {
  it('finds the next matching second strictly after the given time', () => {
    expect(nextOccurrence(parseNcrontab('*/15 * * * * *'), at('2024-01-01T00:00:00Z'))).toEqual(
      at('2024-01-01T00:00:15Z'),
    );
    expect(nextOccurrence(parseNcrontab('*/15 * * * * *'), at('2024-01-01T00:00:14.900Z'))).toEqual(
      at('2024-01-01T00:00:15Z'),
    );
  });

  it('rolls over minutes, hours, days, months and years', () => {
    expect(nextOccurrence(parseNcrontab('0 0 * * * *'), at('2024-01-01T10:59:59Z'))).toEqual(
      at('2024-01-01T11:00:00Z'),
    );
    expect(nextOccurrence(parseNcrontab('0 30 9 * * *'), at('2024-01-01T10:00:00Z'))).toEqual(
      at('2024-01-02T09:30:00Z'),
    );
    expect(nextOccurrence(parseNcrontab('0 0 0 1 * *'), at('2024-01-15T00:00:00Z'))).toEqual(
      at('2024-02-01T00:00:00Z'),
    );
    expect(nextOccurrence(parseNcrontab('0 0 0 1 1 *'), at('2024-06-01T00:00:00Z'))).toEqual(
      at('2025-01-01T00:00:00Z'),
    );
  });

  it('requires both day of month and day of week (NCrontab semantics)', () => {
    // The next Friday the 13th after 2024-01-01 is 2024-09-13.
    expect(nextOccurrence(parseNcrontab('0 0 0 13 * FRI'), at('2024-01-01T00:00:00Z'))).toEqual(
      at('2024-09-13T00:00:00Z'),
    );
  });

  it('handles leap days and never-firing schedules', () => {
    expect(nextOccurrence(parseNcrontab('0 0 0 29 2 *'), at('2024-03-01T00:00:00Z'))).toEqual(
      at('2028-02-29T00:00:00Z'),
    );
    expect(nextOccurrence(parseNcrontab('0 0 0 30 2 *'), at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('returns a matching time with no matching second in between (property)', () => {
    const expressions = [
      '*/7 * * * * *',
      '0 */3 * * * *',
      '15,45 10-20 * * * *',
      '0 0 */6 * * *',
      '30 * 1-3 * * MON-WED',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...expressions),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        (expression, ms) => {
          const schedule = parseNcrontab(expression);
          const after = new Date(ms);
          const next = nextOccurrence(schedule, after);
          expect(next).toBeDefined();
          expect(next!.getTime()).toBeGreaterThan(after.getTime());
          expect(matchesSchedule(schedule, next!)).toBe(true);
          // Check up to one day of seconds before the result: none may match.
          const from = Math.max(Math.floor(after.getTime() / 1000) + 1, next!.getTime() / 1000 - 86_400);
          for (let s = from; s < next!.getTime() / 1000; s++) {
            if (matchesSchedule(schedule, new Date(s * 1000)))
              throw new Error(`${expression}: ${new Date(s * 1000).toISOString()} matched earlier`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
