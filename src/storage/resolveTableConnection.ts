/** How to reach the Table service, read from the same settings the Functions host uses for AzureWebJobsStorage. */
export type TableConnection =
  | { kind: 'connectionString'; connectionString: string; allowInsecureConnection: boolean }
  | { kind: 'identity'; endpoint: string; clientId?: string };

const SETTING = 'AzureWebJobsStorage';

/**
 * A connection string in `AzureWebJobsStorage` wins ("UseDevelopmentStorage=true" is Azurite on 127.0.0.1:10002,
 * which the Table SDK understands); otherwise identity-based `AzureWebJobsStorage__tableServiceUri` or
 * `AzureWebJobsStorage__accountName` (optional `__clientId` for a user-assigned managed identity).
 */
export function resolveTableConnection(env: NodeJS.ProcessEnv = process.env): TableConnection {
  const connectionString = env[SETTING]?.trim();
  if (connectionString) {
    // Azurite (and any explicit http endpoint) speaks plain HTTP; the SDK refuses credentials over HTTP unless told.
    const insecure =
      /UseDevelopmentStorage=true/i.test(connectionString) ||
      /(^|;)\s*(DefaultEndpointsProtocol=http\s*(;|$)|TableEndpoint=http:)/i.test(connectionString);
    return { kind: 'connectionString', connectionString, allowInsecureConnection: insecure };
  }
  const clientId = env[`${SETTING}__clientId`]?.trim() || undefined;
  const serviceUri = env[`${SETTING}__tableServiceUri`]?.trim();
  if (serviceUri) {
    if (!/^https?:\/\//i.test(serviceUri)) {
      throw new Error(
        `${SETTING}__tableServiceUri: expected an http(s) URL such as https://<account>.table.core.windows.net, found ${JSON.stringify(serviceUri)}`,
      );
    }
    return { kind: 'identity', endpoint: serviceUri.replace(/\/+$/, ''), clientId };
  }
  const accountName = env[`${SETTING}__accountName`]?.trim();
  if (accountName) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new Error(
        `${SETTING}__accountName: expected a storage account name (3-24 lowercase letters and digits), found ${JSON.stringify(accountName)}`,
      );
    }
    return { kind: 'identity', endpoint: `https://${accountName}.table.core.windows.net`, clientId };
  }
  throw new Error(
    `Storage connection: expected ${SETTING} (a connection string, or UseDevelopmentStorage=true for Azurite) or ${SETTING}__accountName / ${SETTING}__tableServiceUri (managed identity), found none of them set`,
  );
}
