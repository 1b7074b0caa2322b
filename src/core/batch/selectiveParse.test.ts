import fc from 'fast-check';

import type { CompiledExpression } from '../expressions';
import { compilePipeline } from '../pipelines';
import { type FieldSelection, fieldSelection, parseSelected } from './selectiveParse';

/**
 * parseSelected against JSON.parse: whenever it answers, the body is JSON that JSON.parse reads as a plain object (no
 * top-level `specversion`), and its fields are exactly the selected fields JSON.parse gives, with the same values
 * (-0, escapes, nested values and duplicate keys included); it answers for every ASCII body that is such an object.
 */
const NAMES = ['a', 'delay', 'origin', 'nested', 'constructor', 'x1'];

function selectionOf(definition: unknown): FieldSelection | undefined {
  const compiled = compilePipeline(definition, 'p');
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return fieldSelection([compiled.pipeline]);
}

// Reads every name in NAMES: key, time, filter, measures (one of them CEL over `constructor`, a prototype name).
const selection = selectionOf({
  key: 'origin',
  time: 'a',
  filter: 'x1 > 0 || nested.b == 2',
  measures: { delay: 'delay', c: 'constructor + 1' },
}) as FieldSelection;

const hasOwn = Object.prototype.hasOwnProperty;
const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

/** What parseSelected must give: the selected own fields of JSON.parse's object, in JSON.parse's order. */
function expected(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  if (hasOwn.call(object, 'specversion')) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) if (NAMES.includes(key)) out[key] = object[key];
  return out;
}

const parse = (text: string) => parseSelected(Buffer.from(text), selection);

/**
 * Same fields in the same order, same values (toStrictEqual tells -0 from 0). Compared as entries: toStrictEqual also
 * compares the objects' `constructor`, an own field here.
 */
function expectSame(actual: Record<string, unknown> | undefined, wanted: Record<string, unknown> | undefined) {
  expect(actual === undefined ? undefined : Object.entries(actual)).toStrictEqual(
    wanted === undefined ? undefined : Object.entries(wanted),
  );
}

const key = fc.oneof(fc.constantFrom(...NAMES, 'specversion', '__proto__', 'b', 'delayed', 'originx'), fc.string());
const json = fc.jsonValue({ maxDepth: 3 });
const asciiJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary-ascii' });
const object = fc.oneof(
  fc.dictionary(key, asciiJson, { maxKeys: 8 }),
  fc.dictionary(key, json, { maxKeys: 8 }),
  fc.dictionary(fc.constantFrom(...NAMES), fc.oneof(fc.double(), fc.integer(), fc.bigInt().map(String)), {
    maxKeys: 6,
  }),
);
const layout = fc.record({
  indent: fc.constantFrom(undefined, 0, 1, '\t', ' \r\n'),
  before: fc.constantFrom('', ' ', '\n', '\r\n\t'),
  after: fc.constantFrom('', ' ', '\n', '\r\n\t'),
});

describe('parseSelected', () => {
  it('gives JSON.parse values of the selected fields for any JSON object, and answers for every ASCII one (property)', () => {
    fc.assert(
      fc.property(object, layout, (value, { indent, before, after }) => {
        const text = before + JSON.stringify(value, null, indent) + after;
        const actual = parse(text);
        // JSON.stringify escapes a key with a quote, a backslash or a control character: such keys take the general path.
        const plainKeys = Object.keys(value).every((k) => !/["\\\x00-\x1f]/.test(k));
        const plain = isAscii(text) && plainKeys && !hasOwn.call(value, 'specversion');
        if (plain) expectSame(actual, expected(text));
        else expect(actual).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('never answers for text JSON.parse refuses, and agrees on whatever it answers for (property)', () => {
    const alphabet = fc.constantFrom(...'{}[]":,.-+eE0123456789 \t\n\\u/abtrfnlsx\x01\x7f'.split(''));
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.string({ unit: alphabet }) });
    fc.assert(
      fc.property(object, fc.array(edit, { minLength: 1, maxLength: 3 }), (value, edits) => {
        let text = JSON.stringify(value);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        const actual = parse(text);
        if (actual !== undefined) expectSame(actual, expected(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads numbers as JSON.parse does', () => {
    const numbers = [
      '0',
      '-0',
      '7',
      '-12',
      '1.5',
      '-0.0',
      '20.3',
      '0.1',
      '-0.07',
      '99.99',
      '1.50',
      '0.000000000000001',
    ];
    numbers.push('123456789.012345', '1234567890.1234567', '0.1234567890123456', '1e3', '1E+3', '2e-3', '1.5e2');
    numbers.push('1e400', '-1e400', '123456789012345', '9007199254740993', '12345678901234567890');
    for (const n of numbers) expectSame(parse(`{"delay":${n}}`), { delay: JSON.parse(n) as number });
    // Decimals of up to 15 digits are read from their digits: every one of a range, as JSON.parse reads it.
    const decimals = Array.from(
      { length: 20_000 },
      (_, k) => `${(k * 7919) % 100_000}.${String(k % 1000).padStart(3, '0')}`,
    );
    expect(decimals.map((text) => parse(`{"delay":${text}}`)?.['delay'])).toStrictEqual(
      decimals.map((text) => JSON.parse(text) as number),
    );
    for (const bad of ['01', '-', '1.', '.5', '1e', '+1', '0x1', 'NaN', '1.e3', '--1']) {
      expect(parse(`{"delay":${bad}}`)).toBeUndefined();
      expect(parse(`{"b":${bad}}`)).toBeUndefined();
    }
  });

  it('reads strings, literals, nested values and duplicate keys as JSON.parse does', () => {
    const texts = [
      '{"origin":"LAS","b":1}',
      '{"origin":"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud800"}',
      '{"origin":"\x7f"}',
      '{"a":true,"delay":false,"origin":null}',
      '{"nested":{"b":[1,{"c":"d"}],"__proto__":1},"a":[]}',
      '{"a":1,"b":2,"a":3}',
      '{"constructor":5}',
      '{}',
      ' { } ',
      '{"__proto__":{"a":1},"a":2}',
    ];
    for (const text of texts) expectSame(parse(text), expected(text));
    expect(Object.getPrototypeOf(parse('{"__proto__":{"a":1}}'))).toBe(Object.prototype);
  });

  it('gives short strings from its cache only when their characters match', () => {
    const values = Array.from({ length: 20_000 }, (_, k) => k.toString(36) + (k % 3 === 0 ? 'x' : ''));
    for (let round = 0; round < 2; round++) {
      const parsed = values.map((v) => parse(`{"origin":"${v}","a":"${v}${v}${v}${v}"}`));
      expect(parsed).toStrictEqual(values.map((v) => ({ origin: v, a: v.repeat(4) })));
    }
  });

  it('recognises a key from the one seen at its place before only when it is the same key', () => {
    // Each pair: a body that sets the predictions, then one whose keys differ from them at the same places.
    const pairs = [
      ['{"origin":"a","b":1}', '{"originx":"a","b":1}'],
      ['{"origin":"a","b":1}', '{"origi":"a","b":1}'],
      ['{"origin":"a","b":1}', '{"orig\\u0069n":"a","b":1}'],
      ['{"origin":"a","b":1}', '{"orig\x01n":"a","b":1}'],
      ['{"origin":"a","b":1}', '{"b":1,"origin":"a"}'],
      ['{"delay":1,"a":2}', '{"delay":1,"specversion":2}'],
    ];
    for (const [first, second] of pairs) {
      expectSame(parse(first as string), expected(first as string));
      const text = second as string;
      const plain = expected(text) !== undefined && !text.includes('\\') && !text.includes('\x01');
      expectSame(parse(text), plain ? expected(text) : undefined);
    }
    const bytes = Buffer.concat([Buffer.from('{"'), Buffer.alloc(255, 0xff), Buffer.from('":1}')]);
    expect(parseSelected(bytes, selection)).toBeUndefined();
  });

  it('leaves the general path every body that is not the plain case', () => {
    const texts = [
      '',
      ' ',
      '[]',
      '1',
      '"a"',
      'null',
      '{"specversion":"1.0","data":{}}',
      '{"b":1,"specversion":null}',
      '{"orig\\u0069n":"LAS"}',
      '{"origin":"é"}',
      '{"b":"é"}',
      '\ufeff{"origin":"LAS"}',
      '{"origin":"a\x01"}',
      '{"origin":"LAS"} x',
      '{"origin":"LAS",}',
      '{"origin" "LAS"}',
      '{"origin":"LAS"',
      '{"a":tru}',
      '{"a":"\\x"}',
      '{"a":"\\u12"}',
      `{"a":${'['.repeat(70)}${']'.repeat(70)}}`,
    ];
    for (const text of texts) expect(parse(text)).toBeUndefined();
    // Bytes that are not UTF-8 at all.
    expect(parseSelected(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), selection)).toBe(
      undefined,
    );
  });

  it('selects the fields of every expression, and none when a field is __proto__', () => {
    const names = (s: FieldSelection | undefined) =>
      s === undefined
        ? undefined
        : s.byLength
            .flat()
            .map((entry) => entry?.[0])
            .sort();
    expect(names(selection)).toEqual([...NAMES, null].sort());
    expect(names(selectionOf({}))).toEqual([null, 'stream', 'time', 'value'].sort());
    expect(
      names(
        selectionOf({
          match: 'kind == "x"',
          aggregates: { t: { kind: 'distinct', expr: 'tail' }, d: { kind: 'topK', expr: 'dest', k: 3 } },
        }),
      ),
    ).toEqual([null, 'dest', 'kind', 'stream', 'tail', 'time', 'value'].sort());
    // CEL refuses the identifier __proto__ and a field path never has it; the selection refuses it too, defensively.
    const compiled = compilePipeline({ filter: 'x > 1' }, 'p');
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    const filter = { ...(compiled.pipeline.filter as CompiledExpression), fields: ['__proto__'] };
    expect(fieldSelection([{ ...compiled.pipeline, filter }])).toBeUndefined();
    expect(fieldSelection([{ ...compiled.pipeline, filter: { ...filter, fields: undefined } }])).toBeUndefined();
  });
});
