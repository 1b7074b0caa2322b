/**
 * One error vocabulary for the host. User errors are the app author's or caller's to fix (bad app, bad
 * config, bad request) and are printed without a stack; system errors are the host's own bugs or
 * environment failures. Anything thrown is normalised with `ensureError` before it is logged or sent.
 */

export type UserErrorKind = 'app' | 'config' | 'request';

export class HostUserError extends Error {
  readonly isUserError = true;
  constructor(
    readonly kind: UserErrorKind,
    message: string,
    /** HTTP status to answer with when the error reaches an HTTP caller. */
    readonly status = kind === 'request' ? 400 : 500,
  ) {
    super(message);
    this.name = 'HostUserError';
  }
}

export class HostSystemError extends Error {
  readonly isUserError = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostSystemError';
  }
}

/** Bad app: registrations, bindings, entry files. */
export const appError = (message: string): HostUserError => new HostUserError('app', message);
/** Bad configuration: host.json, local.settings.json, missing settings, flags. */
export const configError = (message: string): HostUserError => new HostUserError('config', message);
/** Bad request from an HTTP caller; `status` defaults to 400. */
export const requestError = (message: string, status = 400): HostUserError =>
  new HostUserError('request', message, status);

export function isUserError(err: unknown): err is HostUserError {
  return err instanceof HostUserError;
}

/** Turns anything thrown into an Error with a useful message (strings, objects, null). */
export function ensureError(err: unknown): Error {
  // Errors thrown by the app may come from another realm (a test runner's sandbox), where instanceof fails.
  if (err instanceof Error || Object.prototype.toString.call(err) === '[object Error]') return err as Error;
  if (err === undefined || err === null) return new Error('Unknown error');
  if (typeof err === 'string') return new Error(err);
  if (typeof err === 'object') {
    try {
      return new Error(JSON.stringify(err));
    } catch {
      return new Error(String(err));
    }
  }
  return new Error(String(err));
}

/** Message for humans: user errors as-is, system errors with their stack. */
export function describeError(err: unknown): string {
  const error = ensureError(err);
  return isUserError(error) ? error.message : (error.stack ?? error.message);
}
