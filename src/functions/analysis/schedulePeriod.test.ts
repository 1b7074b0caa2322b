import { scheduledInstanceId, schedulePeriod } from './schedulePeriod';

describe('schedulePeriod', () => {
  it('covers the last whole period before now', () => {
    const now = Date.parse('2025-03-04T10:17:42.123Z');
    expect(schedulePeriod(now, 60)).toEqual({ from: '2025-03-04T09:00:00.000Z', to: '2025-03-04T10:00:00.000Z' });
    expect(schedulePeriod(now, 15)).toEqual({ from: '2025-03-04T10:00:00.000Z', to: '2025-03-04T10:15:00.000Z' });
  });

  it('gives the same instance id to every firing within one period', () => {
    const a = schedulePeriod(Date.parse('2025-03-04T10:00:01Z'), 60);
    const b = schedulePeriod(Date.parse('2025-03-04T10:59:59Z'), 60);
    expect(scheduledInstanceId('orders', a.from)).toBe('analysis-orders-20250304T090000Z');
    expect(scheduledInstanceId('orders', b.from)).toBe(scheduledInstanceId('orders', a.from));
    expect(scheduledInstanceId('a/b#c', a.from)).not.toMatch(/[/#]/);
  });

  it("names later attempts of a period deterministically, keeping the first attempt's plain id", () => {
    const { from } = schedulePeriod(Date.parse('2025-03-04T10:00:01Z'), 60);
    expect(scheduledInstanceId('orders', from, 1)).toBe('analysis-orders-20250304T090000Z');
    expect(scheduledInstanceId('orders', from, 2)).toBe('analysis-orders-20250304T090000Z-attempt2');
    expect(scheduledInstanceId('orders', from, 3)).toBe(scheduledInstanceId('orders', from, 3));
  });
});
