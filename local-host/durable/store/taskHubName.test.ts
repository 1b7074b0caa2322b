import { taskHubName } from './taskHubName';

const hostJson = (hubName: unknown) => ({ version: '2.0', extensions: { durableTask: { hubName } } });

describe('taskHubName', () => {
  it('takes the name from host.json', () => {
    expect(taskHubName(hostJson('Streamfold'), {})).toBe('Streamfold');
  });

  it('resolves a %NAME% setting, as the durable extension does', () => {
    expect(taskHubName(hostJson('%TASK_HUB_NAME%'), { TASK_HUB_NAME: 'StreamfoldDev' })).toBe('StreamfoldDev');
  });

  it('names the missing setting', () => {
    expect(() => taskHubName(hostJson('%TASK_HUB_NAME%'), {})).toThrow(
      /%TASK_HUB_NAME%.*"TASK_HUB_NAME" is not defined/,
    );
  });

  it('rejects a name the extension would reject, saying what it found', () => {
    expect(() => taskHubName(hostJson('%HUB%'), { HUB: 'my-hub' })).toThrow(
      /3-45 letters and digits .* found "my-hub"/,
    );
  });

  it('falls back to the extension default without a hubName', () => {
    expect(taskHubName({ version: '2.0' }, {})).toBe('TestHubName');
  });
});
