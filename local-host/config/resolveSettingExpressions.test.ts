import { resolveSettingExpressions } from './resolveSettingExpressions';

describe('resolveSettingExpressions', () => {
  const settings = { HUB: 'events', GROUP: '$Default' };

  it('replaces each %NAME% with its setting', () => {
    expect(resolveSettingExpressions('%HUB%', settings, 'x')).toBe('events');
    expect(resolveSettingExpressions('a/%HUB%/%GROUP%', settings, 'x')).toBe('a/events/$Default');
  });

  it('leaves text without expressions alone', () => {
    expect(resolveSettingExpressions('50% off', settings, 'x')).toBe('50% off');
  });

  it('names the function, binding and missing setting', () => {
    expect(() => resolveSettingExpressions('%NOPE%', settings, 'function "f" binding "b"')).toThrow(
      /function "f" binding "b" uses %NOPE% but the app setting "NOPE" is not defined/,
    );
  });
});
