import { compileRoute, matchCompiledRoute } from './compileRoute';
import { parseRouteTemplate } from './parseRouteTemplate';

const match = (template: string, path: string) =>
  matchCompiledRoute(compileRoute('api', parseRouteTemplate(template, 'f')), path);

describe('parseRouteTemplate', () => {
  it('parses literals, parameters, constraints, optional, defaults and catch-all', () => {
    const segments = parseRouteTemplate('/a/{id:int:min(1)}/{x?}', 'f');
    expect(segments).toHaveLength(3);
    const id = segments[1]?.parts[0];
    expect(id?.kind === 'parameter' && id.parameter.constraints).toEqual([
      { name: 'int', args: [] },
      { name: 'min', args: ['1'] },
    ]);
    const x = segments[2]?.parts[0];
    expect(x?.kind === 'parameter' && x.parameter.optional).toBe(true);
    expect(parseRouteTemplate('', 'f')).toEqual([]);
  });

  it('keeps braces and slashes inside a regex constraint', () => {
    expect(match('code/{c:regex(^\\d{{3}}$)}', '/api/code/123')).toEqual({ c: '123' });
    expect(match('code/{c:regex(^\\d{{3}}$)}', '/api/code/1234')).toBeUndefined();
  });

  it('matches parameters inside a segment', () => {
    expect(match('{name}.{ext}', '/api/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
  });

  it('rejects bad templates naming the function', () => {
    expect(() => parseRouteTemplate('a/{id:nope}', 'Function "f"')).toThrow(
      /Function "f" route parameter "id": unknown route constraint "nope"/,
    );
    expect(() => parseRouteTemplate('a/{id', 'f')).toThrow(/unclosed/);
    expect(() => parseRouteTemplate('{*rest}/a', 'f')).toThrow(/must be the last segment/);
    expect(() => parseRouteTemplate('{a}/{a}', 'f')).toThrow(/appears more than once/);
    expect(() => parseRouteTemplate('{id:min(x)}', 'f')).toThrow(/expects integer arguments/);
    expect(() => parseRouteTemplate('{id:regex([)}', 'f')).toThrow(/not a valid regular expression/);
  });
});
