import { createServer, type Server } from 'node:net';

import { fixtureApp } from '../support/repoRoot';
import { runHostExpectingFailure } from '../support/startHostProcess';

describe('start-up errors', () => {
  it('names the function and binding of an unsupported binding type', async () => {
    const result = await runHostExpectingFailure({ app: fixtureApp('http-basic/unsupported') });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Local host failed to start: Function "onQueueMessage": binding "queueTrigger\w*" has type "queueTrigger", which the local host does not support/,
    );
  });

  it('names a busy HTTP port and what to do', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runHostExpectingFailure({ app: fixtureApp('http-basic'), args: ['--port', String(port)] });
      expect(result.code).toBe(1);
      expect(result.output).toContain(
        `Port ${port} is already in use on 127.0.0.1. Stop the process using it or pass --port <n>`,
      );
    } finally {
      blocker.close();
    }
  });

  it('names a missing app folder', async () => {
    const result = await runHostExpectingFailure({ app: fixtureApp('does-not-exist') });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/No package\.json in .*does-not-exist/);
  });

  it('names the function, binding and setting of an undefined %SETTING%', async () => {
    const result = await runHostExpectingFailure({ app: fixtureApp('http-basic/missing-setting') });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Function "nightly" binding "timerTrigger\w*" option "schedule" uses %LOCAL_HOST_FIXTURE_UNDEFINED_SETTING% but the app setting "LOCAL_HOST_FIXTURE_UNDEFINED_SETTING" is not defined/,
    );
  });
});
