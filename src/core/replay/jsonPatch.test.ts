import { applyPatch, parsePatch } from './jsonPatch';

/** RFC 6902 appendix A examples (A.1-A.16) and the pointers of RFC 6901. */
const cases: [string, unknown, unknown[], unknown][] = [
  ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  [
    'A.2 add an array element',
    { foo: ['bar', 'baz'] },
    [{ op: 'add', path: '/foo/1', value: 'qux' }],
    { foo: ['bar', 'qux', 'baz'] },
  ],
  ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  [
    'A.4 remove an array element',
    { foo: ['bar', 'qux', 'baz'] },
    [{ op: 'remove', path: '/foo/1' }],
    { foo: ['bar', 'baz'] },
  ],
  [
    'A.5 replace a value',
    { baz: 'qux', foo: 'bar' },
    [{ op: 'replace', path: '/baz', value: 'boo' }],
    { baz: 'boo', foo: 'bar' },
  ],
  [
    'A.6 move a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  [
    'A.7 move an array element',
    { foo: ['all', 'grass', 'cows', 'eat'] },
    [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] },
  ],
  [
    'A.8 test succeeds',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  [
    'A.10 add a nested member object',
    { foo: 'bar' },
    [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    { foo: 'bar', child: { grandchild: {} } },
  ],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  [
    'A.16 add an array value',
    { foo: ['bar'] },
    [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
    { foo: ['bar', ['abc', 'def']] },
  ],
  [
    'a renamed field back',
    { vaL: 3, stream: 's' },
    [{ op: 'move', from: '/vaL', path: '/value' }],
    { stream: 's', value: 3 },
  ],
  [
    'copy, and replace the root',
    { a: { b: 1 } },
    [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'replace', path: '', value: 7 },
    ],
    7,
  ],
];

describe('applyPatch (RFC 6902)', () => {
  it.each(cases)('%s', (_name, doc, patch, expected) => {
    const parsed = parsePatch(patch);
    if (!parsed.ok) throw new Error(parsed.error);
    const before = JSON.stringify(doc);
    expect(applyPatch(doc, parsed.patch)).toEqual({ ok: true, value: expected });
    expect(JSON.stringify(doc)).toBe(before);
  });

  it.each([
    [
      'A.9 test fails',
      { baz: 'qux' },
      [{ op: 'test', path: '/baz', value: 'bar' }],
      /operation 0 \(test\): \/baz: test failed, expected "bar", found "qux"/,
    ],
    [
      'A.12 add to a nonexistent target',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz/bat', value: 'qux' }],
      /operation 0 \(add\): \/baz\/bat: no such member "baz"/,
    ],
    [
      'A.15 comparing strings and numbers',
      { '/': 9, '~1': 10 },
      [{ op: 'test', path: '/~01', value: '10' }],
      /test failed/,
    ],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], /no such member "b"/],
    [
      'an index out of bounds',
      { a: [1] },
      [{ op: 'add', path: '/a/5', value: 1 }],
      /index 5 is out of bounds \(length 1\)/,
    ],
    [
      'a move into its own child',
      { a: { b: 1 } },
      [{ op: 'move', from: '/a', path: '/a/b/c' }],
      /cannot be moved into its own child/,
    ],
  ])('%s: fails naming the operation, the document unchanged', (_name, doc, patch, message) => {
    const parsed = parsePatch(patch);
    if (!parsed.ok) throw new Error(parsed.error);
    const result = applyPatch(doc, parsed.patch);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(message);
  });

  it('parsePatch names the bad field of the first bad operation', () => {
    expect(parsePatch({ op: 'add' })).toEqual({
      ok: false,
      error: 'expected a JSON Patch (an array of operations), found object',
    });
    expect(parsePatch([{ op: 'rename', path: '/a' }])).toMatchObject({
      ok: false,
      error: expect.stringContaining('[0].op: expected one of add, remove, replace, move, copy, test, found "rename"'),
    });
    expect(parsePatch([{ op: 'move', path: '/a' }])).toMatchObject({
      ok: false,
      error: expect.stringContaining('[0].from: expected a JSON Pointer'),
    });
    expect(parsePatch([{ op: 'add', path: 'a', value: 1 }])).toMatchObject({
      ok: false,
      error: expect.stringContaining('[0].path'),
    });
    expect(parsePatch([{ op: 'replace', path: '/a' }])).toMatchObject({
      ok: false,
      error: '[0].value: expected a value for replace',
    });
    expect(parsePatch([{ op: 'test', path: '/a~2', value: 1 }])).toMatchObject({
      ok: false,
      error: expect.stringContaining('"~" must be followed by 0 or 1'),
    });
  });
});
