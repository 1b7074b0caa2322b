import { DEFAULT_ALERT_MIN_SEVERITY } from '../../core/analysis/detectAnomalies';

/**
 * ALERT_MIN_SEVERITY: anomalies at or above this severity become alerts. Default 1.5
 * (see DEFAULT_ALERT_MIN_SEVERITY: pure Gaussian noise stays below it with the default detectors).
 */
export function alertMinSeverity(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ALERT_MIN_SEVERITY?.trim();
  if (raw === undefined || raw === '') return DEFAULT_ALERT_MIN_SEVERITY;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`ALERT_MIN_SEVERITY: expected a positive number such as 1.5, found ${JSON.stringify(env.ALERT_MIN_SEVERITY)}`);
  }
  return value;
}
