import { parseNcrontab } from './parseNcrontab';

const range = (a: number, b: number, step = 1): number[] =>
  Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);

describe('parseNcrontab', () => {
  it('parses wildcards', () => {
    const s = parseNcrontab('* * * * * *');
    expect(s.seconds).toEqual(range(0, 59));
    expect(s.days).toEqual(range(1, 31));
    expect(s.months).toEqual(range(1, 12));
    expect(s.daysOfWeek).toEqual(range(0, 6));
  });

  it('parses values, lists, ranges and steps', () => {
    const s = parseNcrontab('0 */5 9-17 1,15 1-12/3 *');
    expect(s.seconds).toEqual([0]);
    expect(s.minutes).toEqual(range(0, 55, 5));
    expect(s.hours).toEqual(range(9, 17));
    expect(s.days).toEqual([1, 15]);
    expect(s.months).toEqual([1, 4, 7, 10]);
  });

  it('reads "a/n" as a to the maximum in steps of n', () => {
    expect(parseNcrontab('10/20 * * * * *').seconds).toEqual([10, 30, 50]);
  });

  it('accepts month and day names in any case, and 7 as Sunday', () => {
    const s = parseNcrontab('0 0 0 * jan-MAR Mon-Fri');
    expect(s.months).toEqual([1, 2, 3]);
    expect(s.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(parseNcrontab('0 0 0 * * 7').daysOfWeek).toEqual([0]);
    expect(parseNcrontab('0 0 0 * DEC SUN,SAT').daysOfWeek).toEqual([0, 6]);
  });

  it.each([
    ['0 * * * *', /expected 6 fields .* found 5/],
    ['60 * * * * *', /second field "60" has 60, expected 0-59/],
    ['* * 24 * * *', /hour field "24" has 24, expected 0-23/],
    ['* * * 0 * *', /day of month field "0" has 0, expected 1-31/],
    ['* * * * 13 *', /month field "13" has 13, expected 1-12/],
    ['* * * * * FUNDAY', /day of week field "FUNDAY" has "FUNDAY", expected a number or a name/],
    ['*/0 * * * * *', /step "0", expected a positive integer/],
    ['5-1 * * * * *', /range 5-1 whose start is after its end/],
    ['1,,2 * * * * *', /empty list item/],
    ['1/2/3 * * * * *', /more than one "\/"/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(message);
  });
});
