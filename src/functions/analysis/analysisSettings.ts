import { DEFAULT_ALERT_MIN_SEVERITY } from '../../core/analysis/detectAnomalies';

/**
 * The analysis settings, read in one place (infra/modules/functionApp.bicep sets ALERT_MIN_SEVERITY and
 * ANALYSIS_PERIOD_MINUTES; ANALYSIS_SCHEDULE is empty = off). An unset or blank value means the
 * default; a bad one throws naming the setting, what was expected and what was found.
 *
 * | Setting                 | Default  | Meaning                                                        |
 * |-------------------------|----------|----------------------------------------------------------------|
 * | ALERT_MIN_SEVERITY      | 1.5      | anomalies at or above become alerts (see DEFAULT_ALERT_MIN_SEVERITY) |
 * | ANALYSIS_PERIOD_MINUTES | 60       | range of a scheduled run, 1 to 10080 (a week)                  |
 * | ANALYSIS_SCHEDULE       | "" (off) | NCRONTAB of the schedule timer; registered only when non-empty |
 */
const MAX_PERIOD_MINUTES = 10_080;

function raw(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function invalid(env: NodeJS.ProcessEnv, name: string, expected: string): Error {
  return new Error(`${name}: expected ${expected}, found ${JSON.stringify(env[name])}`);
}

/** ALERT_MIN_SEVERITY, default 1.5 (pure Gaussian noise stays below it with the default detectors). */
export function alertMinSeverity(env: NodeJS.ProcessEnv = process.env): number {
  const text = raw(env, 'ALERT_MIN_SEVERITY');
  if (text === undefined) return DEFAULT_ALERT_MIN_SEVERITY;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw invalid(env, 'ALERT_MIN_SEVERITY', 'a positive number such as 1.5');
  return value;
}

/** ANALYSIS_PERIOD_MINUTES, default 60: the range a scheduled run covers. */
export function analysisPeriodMinutes(env: NodeJS.ProcessEnv = process.env): number {
  const text = raw(env, 'ANALYSIS_PERIOD_MINUTES');
  if (text === undefined) return 60;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_PERIOD_MINUTES)) throw invalid(env, 'ANALYSIS_PERIOD_MINUTES', `a whole number of minutes from 1 to ${MAX_PERIOD_MINUTES}`);
  return value;
}

/** ANALYSIS_SCHEDULE, trimmed; "" (the default) means the schedule timer is not registered. */
export function analysisSchedule(env: NodeJS.ProcessEnv = process.env): string {
  return raw(env, 'ANALYSIS_SCHEDULE') ?? '';
}
