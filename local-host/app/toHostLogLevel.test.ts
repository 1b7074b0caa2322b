import { toHostLogLevel } from './toHostLogLevel';

describe('toHostLogLevel', () => {
  it('maps each worker level', () => {
    expect(toHostLogLevel('trace')).toBe('debug');
    expect(toHostLogLevel('debug')).toBe('debug');
    expect(toHostLogLevel('information')).toBe('info');
    expect(toHostLogLevel('warning')).toBe('warn');
    expect(toHostLogLevel('error')).toBe('error');
    expect(toHostLogLevel('critical')).toBe('error');
    expect(toHostLogLevel('none')).toBeUndefined();
  });
});
