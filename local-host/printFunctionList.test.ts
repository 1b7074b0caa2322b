import type { HostFunction } from './extension';
import { formatFunctionList } from './printFunctionList';

describe('formatFunctionList', () => {
  it('lists HTTP functions with methods and URL and others with their trigger', () => {
    const http = {
      name: 'req',
      type: 'httpTrigger',
      direction: 'in' as const,
      route: 'items/{id}',
      methods: ['GET', 'POST'],
    };
    const timer = { name: 'timer', type: 'timerTrigger', direction: 'in' as const, schedule: '0 * * * * *' };
    const functions: HostFunction[] = [
      { name: 'items', id: '1', trigger: http, bindings: [http] },
      { name: 'tick', id: '2', trigger: timer, bindings: [timer] },
    ];
    const text = formatFunctionList(functions, {}, 'http://localhost:7071');
    expect(text).toContain('\titems: [GET,POST] http://localhost:7071/api/items/{id}');
    expect(text).toContain('\ttick: timerTrigger');
  });
});
