import { runInNewContext } from 'node:vm';

import { appError, describeError, ensureError, HostSystemError, isUserError, requestError } from './errors';

describe('errors', () => {
  it('separates user errors from system errors', () => {
    expect(isUserError(appError('bad app'))).toBe(true);
    expect(isUserError(new HostSystemError('boom'))).toBe(false);
    expect(isUserError(new Error('plain'))).toBe(false);
  });

  it('gives request errors an HTTP status', () => {
    expect(requestError('nope').status).toBe(400);
    expect(requestError('missing', 404).status).toBe(404);
    expect(appError('x').status).toBe(500);
  });

  it('normalises anything thrown', () => {
    const err = new Error('kept');
    expect(ensureError(err)).toBe(err);
    expect(ensureError('text').message).toBe('text');
    expect(ensureError(undefined).message).toBe('Unknown error');
    expect(ensureError({ code: 1 }).message).toBe('{"code":1}');
    expect(ensureError(42).message).toBe('42');
    const foreign = runInNewContext('new Error("other realm")') as Error;
    expect(ensureError(foreign)).toBe(foreign);
  });

  it('describes user errors without a stack and system errors with one', () => {
    expect(describeError(appError('fix your app'))).toBe('fix your app');
    expect(describeError(new HostSystemError('internal'))).toContain('errors.test');
  });
});
