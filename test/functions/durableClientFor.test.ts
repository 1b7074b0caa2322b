import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { durableClientFor } from '../../src/functions/shared/durableClientFor';

/** A context as the host builds it for a function with a durable client input (the binding's data as the extension sends it). */
function contextWithClient(): InvocationContext {
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [clientInput] } });
  const base = 'http://localhost:7071/runtime/webhooks/durabletask';
  context.extraInputs.set(clientInput, {
    taskHubName: 'Streamfold',
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${base}/instances/INSTANCEID`,
      sendEventPostUri: `${base}/instances/INSTANCEID/raiseEvent/{eventName}`,
      terminatePostUri: `${base}/instances/INSTANCEID/terminate`,
      purgeHistoryDeleteUri: `${base}/instances/INSTANCEID`,
    },
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: 'http://127.0.0.1:17071/durabletask/',
  });
  return context;
}

describe('durableClientFor', () => {
  it('builds one client per invocation and reuses it for every signal of that invocation', () => {
    const context = contextWithClient();
    const first = durableClientFor(context);
    expect(typeof first.signalEntity).toBe('function');
    expect(durableClientFor(context)).toBe(first);
    expect(first.taskHubName).toBe('Streamfold');
  });

  it('gives another invocation its own client', () => {
    expect(durableClientFor(contextWithClient())).not.toBe(durableClientFor(contextWithClient()));
  });

  it('fails as df.getClient does when the function has no durable client input', () => {
    expect(() => durableClientFor(new InvocationContext())).toThrow(/durable client input/);
  });
});
