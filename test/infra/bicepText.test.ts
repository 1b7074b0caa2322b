import { modules, params, resourceBody, secretFindings, stripComments, topLevelEntries, varValue } from './bicepText';

describe('bicepText: just enough Bicep reading for the infra checks', () => {
  it('blanks comments but keeps strings, so a URL in a string survives', () => {
    const text = "var a = 'https://x' // note\n/* block\n */ var b = 1";
    const clean = stripComments(text);
    expect(clean).toContain("'https://x'");
    expect(clean).not.toContain('note');
    expect(clean).not.toContain('block');
    expect(clean).toHaveLength(text.length);
  });

  it('flags key listing, account keys and SAS connection strings, not identity settings', () => {
    expect(secretFindings('value: stg.listKeys().keys[0].value')).not.toHaveLength(0);
    expect(secretFindings("'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${k}'")).not.toHaveLength(0);
    expect(secretFindings("'Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=k'")).not.toHaveLength(0);
    expect(secretFindings("AzureWebJobsStorage__credential: 'managedidentity'")).toHaveLength(0);
  });

  it('reads module params and loops', () => {
    const text =
      "module m './x.bicep' = [\n  for a in list: {\n    name: a\n    params: {\n      one: a.x\n      two: { nested: 1 }\n    }\n  }\n]\n";
    const [decl] = modules(text);
    expect(decl?.isLoop).toBe(true);
    expect(decl?.params).toEqual(['one', 'two']);
  });

  it('reads object entries with their values, nested brackets and strings with colons included', () => {
    const body = "\n  a: 'x:y'\n  b: union(c, { d: 1 })\n  'e-f': g ? 'true' : 'false'\n";
    expect(topLevelEntries(body)).toEqual([
      ['a', "'x:y'"],
      ['b', 'union(c, { d: 1 })'],
      ['e-f', "g ? 'true' : 'false'"],
    ]);
  });

  it('reads a var value that spans lines inside brackets, and stops at the end of a one-line value', () => {
    const text = 'var list = concat(\n  a,\n  b\n)\nvar one = x && y\nvar next = 1';
    expect(varValue(text, 'list')).toBe('concat(\n  a,\n  b\n)');
    expect(varValue(text, 'one')).toBe('x && y');
    expect(() => varValue(text, 'missing')).toThrow(/expected a variable named missing/);
  });

  it('reads params with defaults and the @allowed / @minValue / @maxValue decorators', () => {
    const text =
      "@allowed([\n  '20'\n  '22'\n])\n@description('Node (major)')\nparam node string = '22'\n\n@minValue(1)\n@maxValue(32)\nparam parts int\nparam free string";
    expect(params(text)).toEqual([
      {
        name: 'node',
        type: 'string',
        hasDefault: true,
        defaultText: "'22'",
        allowed: ["'20'", "'22'"],
        minValue: undefined,
        maxValue: undefined,
      },
      {
        name: 'parts',
        type: 'int',
        hasDefault: false,
        defaultText: undefined,
        allowed: undefined,
        minValue: 1,
        maxValue: 32,
      },
      {
        name: 'free',
        type: 'string',
        hasDefault: false,
        defaultText: undefined,
        allowed: undefined,
        minValue: undefined,
        maxValue: undefined,
      },
    ]);
  });

  it('finds a resource body by symbol, nested child resources too', () => {
    const text = "resource ns 'A/b@1' = {\n  name: 'n'\n  resource hub 'c' existing = {\n    name: 'h'\n  }\n}\n";
    expect(resourceBody(text, 'hub')).toEqual({ type: 'c', body: "\n    name: 'h'\n  " });
    expect(resourceBody(text, 'ns').type).toBe('A/b@1');
    expect(() => resourceBody(text, 'nope')).toThrow(/expected a resource named nope/);
  });
});
