import { ActionType } from './eventType';
import { markOrchestratorState, markRelistedActions, relistedFlag } from './markRelistedActions';

const activity = (input: string): { actionType: number; functionName: string; input: string } => ({
  actionType: ActionType.CallActivity,
  functionName: 'A',
  input,
});

describe('markRelistedActions', () => {
  it('flags a leaf action object listed again in a later compound, not equal-looking new ones', () => {
    const a = activity('"a"');
    const b = activity('"b"');
    const twin = activity('"a"');
    const marked = markRelistedActions([
      [
        { actionType: ActionType.WhenAny, compoundActions: [a, b] },
        { actionType: ActionType.WhenAny, compoundActions: [b, twin] },
        { actionType: ActionType.WhenAll, compoundActions: [{ actionType: ActionType.WhenAny, compoundActions: [a] }] },
      ],
    ]) as { compoundActions: Record<string, unknown>[] }[][];
    const [first, second, third] = marked[0] ?? [];
    expect(first?.compoundActions.map((x) => x[relistedFlag])).toEqual([undefined, undefined]);
    expect(second?.compoundActions.map((x) => x[relistedFlag])).toEqual([true, undefined]);
    expect((third?.compoundActions[0] as { compoundActions: Record<string, unknown>[] }).compoundActions[0]).toEqual({
      ...a,
      [relistedFlag]: true,
    });
    expect(a).not.toHaveProperty(relistedFlag);
  });

  it('flags the same task twice in one Task.all and leaves non-state results alone', () => {
    const t = activity('1');
    const marked = markRelistedActions([[{ actionType: ActionType.WhenAll, compoundActions: [t, t] }]]) as {
      compoundActions: Record<string, unknown>[];
    }[][];
    expect(marked[0]?.[0]?.compoundActions.map((x) => x[relistedFlag] === true)).toEqual([false, true]);
    expect(markOrchestratorState('plain')).toBe('plain');
    expect(markOrchestratorState({ isDone: true, actions: [[]], output: 3 })).toEqual({
      isDone: true,
      actions: [[]],
      output: 3,
    });
  });
});
