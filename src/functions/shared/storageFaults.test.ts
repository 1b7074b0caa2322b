import { RestError } from '@azure/data-tables';

import { backoffDelay, classifyError, retryTransient, statusOfError } from './storageFaults';

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:10002`), { code });

describe('classifyError', () => {
  it.each([
    ['a 500 RestError', new RestError('boom', { statusCode: 500 })],
    ['a 503', new RestError('busy', { statusCode: 503 })],
    ['a 408', new RestError('timeout', { statusCode: 408 })],
    ['a 429', new RestError('throttled', { statusCode: 429 })],
    ['a RestError without status', new RestError('no answer', { code: 'REQUEST_SEND_ERROR' })],
    ['ECONNREFUSED', withCode('ECONNREFUSED')],
    ['ECONNRESET', withCode('ECONNRESET')],
    ['ETIMEDOUT', withCode('ETIMEDOUT')],
    ['EAI_AGAIN', withCode('EAI_AGAIN')],
    ['socket hang up', new Error('socket hang up')],
    ["durable-functions' 500", new Error('The operation failed with an unexpected status code: 500. Details: ""')],
    ['an axios 502', Object.assign(new Error('Request failed'), { response: { status: 502 } })],
    ['an unrecognized error', new Error('something odd')],
  ])('%s is transient', (_, error) => {
    expect(classifyError(error)).toBe('transient');
  });

  it.each([
    ['a 400 RestError (entity too large)', new RestError('EntityTooLarge', { statusCode: 400 })],
    ['a 413', new RestError('RequestBodyTooLarge', { statusCode: 413 })],
    ['a 404', new RestError('not found', { statusCode: 404 })],
    [
      "durable-functions' 400",
      new Error('The operation failed with an unexpected status code: 400. Details: "bad key"'),
    ],
  ])('%s is permanent', (_, error) => {
    expect(classifyError(error)).toBe('permanent');
  });

  it('reads the status from each error shape', () => {
    expect([
      statusOfError(new RestError('x', { statusCode: 409 })),
      statusOfError({ response: { status: 418 } }),
      statusOfError('text'),
      statusOfError(null),
    ]).toEqual([409, 418, undefined, undefined]);
  });
});

describe('retryTransient', () => {
  const options = (sleeps: number[]) => ({
    attempts: 4,
    minDelayMs: 100,
    maxDelayMs: 250,
    sleep: async (ms: number) => void sleeps.push(ms),
  });

  it('retries transient failures with capped exponential backoff, then succeeds', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await retryTransient(async () => {
      if (++calls < 4) throw withCode('ECONNREFUSED');
      return 'ok';
    }, options(sleeps));
    expect({ result, calls, sleeps }).toEqual({ result: 'ok', calls: 4, sleeps: [100, 200, 250] });
  });

  it('gives up after the attempts, rethrowing the last failure', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw new RestError(`down ${calls}`, { statusCode: 503 });
      }, options(sleeps)),
    ).rejects.toThrow('down 4');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw new RestError('too large', { statusCode: 400 });
      }, options([])),
    ).rejects.toThrow('too large');
    expect(calls).toBe(1);
  });

  it('computes delays min * 2^(n-1) capped at max', () => {
    expect([1, 2, 3, 10].map((n) => backoffDelay({ attempts: 9, minDelayMs: 200, maxDelayMs: 5000 }, n))).toEqual([
      200, 400, 800, 5000,
    ]);
  });
});
