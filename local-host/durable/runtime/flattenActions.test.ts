import { ActionType } from './eventType';
import { consumesTaskId, flattenActions } from './flattenActions';

describe('flattenActions', () => {
  it('walks WhenAll/WhenAny depth first like the SDK assigns task ids', () => {
    const leaves = flattenActions([
      [
        { actionType: ActionType.CallActivity, functionName: 'a' },
        {
          actionType: ActionType.WhenAny,
          compoundActions: [
            { actionType: ActionType.WaitForExternalEvent, externalEventName: 'e' },
            { actionType: ActionType.WhenAll, compoundActions: [{ actionType: ActionType.CreateTimer, fireAt: 'x' }] },
          ],
        },
      ],
    ]);
    expect(leaves.map((l) => l.actionType)).toEqual([
      ActionType.CallActivity,
      ActionType.WaitForExternalEvent,
      ActionType.CreateTimer,
    ]);
    expect(leaves.map(consumesTaskId)).toEqual([true, false, true]);
  });
});
