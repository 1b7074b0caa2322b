import { configError } from '../errors';

/** Allowed values per field, as sorted arrays; `dayOfWeek` uses 0 = Sunday. */
export interface CronSchedule {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: number[];
  months: number[];
  daysOfWeek: number[];
}

interface FieldSpec {
  key: keyof CronSchedule;
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const fields: readonly FieldSpec[] = [
  { key: 'seconds', label: 'second', min: 0, max: 59 },
  { key: 'minutes', label: 'minute', min: 0, max: 59 },
  { key: 'hours', label: 'hour', min: 0, max: 23 },
  { key: 'days', label: 'day of month', min: 1, max: 31 },
  { key: 'months', label: 'month', min: 1, max: 12, names: monthNames },
  { key: 'daysOfWeek', label: 'day of week', min: 0, max: 6, names: dayNames },
];

/**
 * Parses a six-field NCRONTAB expression (second minute hour day month day-of-week) as the Functions timer
 * trigger does: `*`, values, ranges `a-b`, lists `a,b`, steps `* /n` and `a-b/n` and `a/n`, month and day
 * names (JAN, MON...). Day of month and day of week must both match (NCrontab semantics).
 */
export function parseNcrontab(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw configError(
      `Invalid NCRONTAB expression "${expression}": expected 6 fields (second minute hour day month day-of-week), found ${parts.length}.`,
    );
  }
  const schedule = {} as CronSchedule;
  fields.forEach((spec, i) => {
    schedule[spec.key] = parseField(parts[i] ?? '', spec, expression);
  });
  return schedule;
}

function parseField(text: string, spec: FieldSpec, expression: string): number[] {
  const fail = (why: string): never => {
    throw configError(`Invalid NCRONTAB expression "${expression}": ${spec.label} field "${text}" ${why}.`);
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail('has an empty list item');
    const [rangeText = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fail('has more than one "/"');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail(`has step "${stepText}", expected a positive integer`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangeText.includes('-')) {
      const [a = '', b = ''] = rangeText.split('-');
      from = value(a, spec, fail);
      to = value(b, spec, fail);
      if (from > to) fail(`has range ${from}-${to} whose start is after its end`);
    } else {
      from = value(rangeText, spec, fail);
      // "a/n" means from a to the field's maximum in steps of n.
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return spec.key === 'months' ? named + 1 : named;
  if (!/^\d+$/.test(text)) {
    return fail(`has "${text}", expected a number${spec.names ? ` or a name (${spec.names.join(', ')})` : ''}`);
  }
  const n = Number(text);
  // NCrontab accepts 7 for Sunday in the day-of-week field.
  if (spec.key === 'daysOfWeek' && n === 7) return 0;
  if (n < spec.min || n > spec.max) fail(`has ${n}, expected ${spec.min}-${spec.max}`);
  return n;
}
