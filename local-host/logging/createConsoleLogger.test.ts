import { createConsoleLogger } from './createConsoleLogger';

describe('createConsoleLogger', () => {
  const now = () => new Date('2024-01-02T03:04:05.006Z');

  it('prefixes time, hides debug unless verbose and sends problems to err', () => {
    const out: string[] = [];
    const err: string[] = [];
    const logger = createConsoleLogger({ verbose: false, out: (l) => out.push(l), err: (l) => err.push(l), now });
    logger.debug('hidden');
    logger.info('hello');
    logger.warn('careful');
    logger.error('bad');
    expect(out).toEqual(['[2024-01-02T03:04:05.006Z] hello']);
    expect(err).toEqual(['[2024-01-02T03:04:05.006Z] warning: careful', '[2024-01-02T03:04:05.006Z] error: bad']);
  });

  it('prints debug when verbose', () => {
    const out: string[] = [];
    createConsoleLogger({ verbose: true, out: (l) => out.push(l), now }).debug('inside');
    expect(out).toEqual(['[2024-01-02T03:04:05.006Z] debug: inside']);
  });
});
