import type { HostFunction } from '../extension';
import { createRouteTable, routePrefixOf } from './createRouteTable';

function httpFn(name: string, route?: string, methods?: string[]): HostFunction {
  const trigger = {
    name: 'req',
    type: 'httpTrigger',
    direction: 'in' as const,
    ...(route ? { route } : {}),
    ...(methods ? { methods } : {}),
  };
  return { name, id: name, trigger, bindings: [trigger] };
}

function matchName(table: ReturnType<typeof createRouteTable>, method: string, path: string): string {
  const m = table.match(method, path);
  return m.kind === 'match' ? `${m.route.fn.name} ${JSON.stringify(m.params)}` : m.kind;
}

describe('createRouteTable', () => {
  const table = createRouteTable(
    [
      httpFn('getItem', 'items/{id:int}', ['GET']),
      httpFn('itemByName', 'items/{name:alpha}', ['GET']),
      httpFn('special', 'items/special', ['GET']),
      httpFn('files', 'files/{*rest}'),
      httpFn('optional', 'opt/{x?}'),
      httpFn('withDefault', 'def/{x=7}'),
      httpFn('hello'),
      httpFn('timer-like', undefined, ['POST']),
    ],
    'api',
  );

  it('uses the function name when no route is given', () => {
    expect(matchName(table, 'GET', '/api/hello')).toBe('hello {}');
    expect(matchName(table, 'GET', '/api/HELLO/')).toBe('hello {}');
  });

  it('decodes a route value exactly once: %252F is the text %2F, %2F is a slash inside one segment', () => {
    const streams = createRouteTable([httpFn('getStream', 'streams/{pipeline}/{stream}', ['GET'])], 'api');
    expect(matchName(streams, 'GET', '/api/streams/default/q4%252Fb')).toBe(
      'getStream {"pipeline":"default","stream":"q4%2Fb"}',
    );
    expect(matchName(streams, 'GET', '/api/streams/default/q4%2Fb')).toBe(
      'getStream {"pipeline":"default","stream":"q4/b"}',
    );
    expect(matchName(streams, 'GET', '/api/streams/default/s-001%3Fop%3Dreset%26')).toBe(
      'getStream {"pipeline":"default","stream":"s-001?op=reset&"}',
    );
    expect(matchName(streams, 'GET', '/api/streams/default/%25zz')).toBe(
      'getStream {"pipeline":"default","stream":"%zz"}',
    );
  });

  it('applies constraints and prefers literals', () => {
    expect(matchName(table, 'GET', '/api/items/42')).toBe('getItem {"id":"42"}');
    expect(matchName(table, 'GET', '/api/items/abc')).toBe('itemByName {"name":"abc"}');
    expect(matchName(table, 'GET', '/api/items/special')).toBe('special {}');
    expect(matchName(table, 'GET', '/api/items/a1')).toBe('notFound');
  });

  it('handles catch-all, optional and default values', () => {
    expect(matchName(table, 'GET', '/api/files/a/b%20c.txt')).toBe('files {"rest":"a/b c.txt"}');
    expect(matchName(table, 'GET', '/api/files')).toBe('files {}');
    expect(matchName(table, 'GET', '/api/opt')).toBe('optional {}');
    expect(matchName(table, 'GET', '/api/opt/1')).toBe('optional {"x":"1"}');
    expect(matchName(table, 'GET', '/api/def')).toBe('withDefault {"x":"7"}');
  });

  it('answers method not allowed with the allowed methods', () => {
    expect(table.match('DELETE', '/api/items/1')).toEqual({ kind: 'methodNotAllowed', allowed: ['GET'] });
    expect(table.match('GET', '/api/timer-like')).toEqual({ kind: 'methodNotAllowed', allowed: ['POST'] });
  });

  it('honours an empty route prefix', () => {
    const bare = createRouteTable([httpFn('hello')], '');
    expect(bare.match('GET', '/hello').kind).toBe('match');
    expect(bare.match('GET', '/api/hello').kind).toBe('notFound');
  });
});

describe('routePrefixOf', () => {
  it('defaults to api and reads host.json', () => {
    expect(routePrefixOf({})).toBe('api');
    expect(routePrefixOf({ extensions: { http: { routePrefix: '' } } })).toBe('');
    expect(routePrefixOf({ extensions: { http: { routePrefix: '/v1/' } } })).toBe('v1');
    expect(() => routePrefixOf({ extensions: { http: { routePrefix: 3 } } })).toThrow(/routePrefix must be a string/);
  });
});
