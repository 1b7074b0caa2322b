import { setTimeout as sleep } from 'node:timers/promises';

import { simulationHooks } from '../../simulationHooks';
import { StorageInputError } from '../../storage';

export type FaultKind = 'transient' | 'permanent';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'ENOTFOUND',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;

/** The HTTP status an error carries: RestError.statusCode, axios' response.status, or durable-functions' message. */
export function statusOfError(error: unknown): number | undefined {
  const e = asRecord(error);
  if (!e) return undefined;
  for (const v of [e['statusCode'], e['status'], asRecord(e['response'])?.['status']]) {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
  }
  // durable-functions' client rejects with "The operation failed with an unexpected status code: 500. Details: ..."
  const match = typeof e['message'] === 'string' ? /status code:? (\d{3})\b/i.exec(e['message']) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Transient: 408, 429, 5xx, network failures, timeouts, a storage RestError without a status, and anything not
 * recognized (an unnamed fault must not lose a batch: the batch is retried, visibly). Permanent: every other 4xx and a
 * StorageInputError, which no retry can cure. See docs/explanation/effectively-once.md.
 */
export function classifyError(error: unknown): FaultKind {
  // A record the store refuses before any request (a caller's mistake): no retry can cure it.
  if (error instanceof StorageInputError) return 'permanent';
  const code = asRecord(error)?.['code'];
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return 'transient';
  const status = statusOfError(error);
  if (status !== undefined && status >= 400 && status < 500)
    return status === 408 || status === 429 ? 'transient' : 'permanent';
  return 'transient';
}

export const isTransient = (error: unknown): boolean => classifyError(error) === 'transient';

export interface RetryOptions {
  /** Attempts in all (1 = no retry). */
  attempts: number;
  /** Delay before the first retry; doubles each retry up to maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, minDelayMs: 200, maxDelayMs: 5000 };

/** Delay before retry `n` (1-based): min * 2^(n-1), capped. */
export const backoffDelay = (options: RetryOptions, retry: number): number =>
  Math.min(options.maxDelayMs, options.minDelayMs * 2 ** (retry - 1));

/**
 * Runs `action`, retrying it while it fails transiently, at most `attempts` times in all with exponential backoff.
 * Rethrows a permanent failure at once and the last transient one when the attempts are spent; `onRetry` hears of
 * every retried failure.
 */
export async function retryTransient<T>(
  action: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
  onRetry?: (error: unknown, retry: number, delayMs: number) => void,
): Promise<T> {
  const wait = options.sleep ?? simulationHooks()?.sleep ?? ((ms: number) => sleep(ms).then(() => undefined));
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isTransient(error) || attempt >= options.attempts) throw error;
      const delay = backoffDelay(options, attempt);
      onRetry?.(error, attempt, delay);
      await wait(delay);
    }
  }
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
