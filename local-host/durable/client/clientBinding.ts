/** What the Durable extension hands a durableClient input binding, pointed at this host's webhook routes. */
export function clientBindingData(origin: string, taskHubName: string, systemKey?: string): Record<string, unknown> {
  const base = `${origin}/runtime/webhooks/durabletask`;
  const query = webhookQuery(taskHubName, systemKey);
  const code = encodeURIComponent(systemKey ?? '');
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=${code}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: managementUrls(base, query, 'INSTANCEID'),
    baseUrl: base,
    requiredQueryStringParameters: query,
    rpcBaseUrl: rpcBaseUrl(origin),
  };
}

/** The query every webhook URL carries: task hub, connection and, with --require-keys, the system key (as on Azure). */
export function webhookQuery(taskHubName: string, systemKey?: string): string {
  return `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage${systemKey === undefined ? '' : `&code=${encodeURIComponent(systemKey)}`}`;
}

/** The management links for one instance (also the body of a 202 from startNew). */
export function managementUrls(base: string, query: string, instanceId: string): Record<string, string> {
  const instance = `${base}/instances/${instanceId}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${query}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${instance}?${query}`,
    restartPostUri: `${instance}/restart?${query}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
    resumePostUri: `${instance}/resume?reason={text}&${query}`,
  };
}

/** Where durable-functions' client sends its HTTP API calls (signals, starts, queries) on this host. */
export function rpcBaseUrl(origin: string): string {
  return `${origin}/runtime/webhooks/durabletask/`;
}
