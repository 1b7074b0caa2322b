import { satisfiesConstraint } from './routeConstraint';

const ok = (name: string, value: string, ...args: string[]) => satisfiesConstraint({ name, args }, value);

describe('satisfiesConstraint', () => {
  it.each([
    ['int', '42', [], true],
    ['int', '-7', [], true],
    ['int', '2147483648', [], false],
    ['int', '1.5', [], false],
    ['long', '9223372036854775807', [], true],
    ['long', '9223372036854775808', [], false],
    ['bool', 'TRUE', [], true],
    ['bool', 'yes', [], false],
    ['guid', '3f2504e0-4f89-11d3-9a0c-0305e82c3301', [], true],
    ['guid', 'not-a-guid', [], false],
    ['alpha', 'abcXYZ', [], true],
    ['alpha', 'ab1', [], false],
    ['double', '-1.5e3', [], true],
    ['double', 'x1', [], false],
    ['datetime', '2024-01-02', [], true],
    ['datetime', 'nope', [], false],
    ['min', '5', ['5'], true],
    ['min', '4', ['5'], false],
    ['max', '5', ['5'], true],
    ['max', '6', ['5'], false],
    ['range', '3', ['1', '5'], true],
    ['range', '6', ['1', '5'], false],
    ['length', 'abc', ['3'], true],
    ['length', 'ab', ['3'], false],
    ['length', 'ab', ['1', '3'], true],
    ['minlength', 'ab', ['3'], false],
    ['maxlength', 'ab', ['3'], true],
    ['regex', 'ABC', ['^abc$'], true],
    ['regex', 'abd', ['^abc$'], false],
  ] as [string, string, string[], boolean][])('%s %s %j -> %s', (name, value, args, expected) => {
    expect(ok(name, value, ...args)).toBe(expected);
  });
});
