import { toHostFunction } from './toHostFunction';

describe('toHostFunction', () => {
  const settings = { HUB: 'events' };

  it('lists bindings, finds the trigger and resolves %NAME% options', () => {
    const fn = toHostFunction(
      {
        name: 'ingest',
        bindings: {
          messages: { type: 'eventHubTrigger', direction: 'in', eventHubName: '%HUB%', cardinality: 'many' },
          $return: { type: 'http', direction: 'out' },
        },
      },
      settings,
    );
    expect(fn.name).toBe('ingest');
    expect(fn.trigger).toEqual({
      name: 'messages',
      type: 'eventHubTrigger',
      direction: 'in',
      eventHubName: 'events',
      cardinality: 'many',
    });
    expect(fn.bindings.map((b) => b.name)).toEqual(['messages', '$return']);
    expect(fn.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names function, binding and setting when a setting is missing', () => {
    expect(() =>
      toHostFunction(
        { name: 'f', bindings: { t: { type: 'timerTrigger', direction: 'in', schedule: '%SCHED%' } } },
        settings,
      ),
    ).toThrow(/Function "f" binding "t" option "schedule" uses %SCHED% but the app setting "SCHED" is not defined/);
  });

  it('requires exactly one trigger', () => {
    expect(() => toHostFunction({ name: 'f', bindings: { o: { type: 'http', direction: 'out' } } }, settings)).toThrow(
      /exactly one trigger binding, found 0/,
    );
  });
});
