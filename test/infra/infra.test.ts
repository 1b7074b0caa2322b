import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import { parseNcrontab } from '../../local-host/timer/parseNcrontab';
import { TABLE_NAMES } from '../../src/storage/tableNames';
import {
  abbreviationsUsed,
  bracketBody,
  modules,
  outputDecls,
  outputReferences,
  outputs,
  params,
  PINNED_AVM,
  resourceBody,
  resources,
  secretFindings,
  stripComments,
  topLevelEntries,
  UPPER_SNAKE,
  varBody,
  varValue,
} from './bicepText';
import {
  connectionsUsed,
  majorSatisfies,
  settingDefault,
  settingNamesRead,
  settingsModuleKeys,
  tableNamesUsed,
} from './codeReads';

const ROOT = resolve(__dirname, '..', '..');
const INFRA = join(ROOT, 'infra');
const read = (path: string): string => readFileSync(path, 'utf8');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const infraFiles = filesUnder(INFRA);
const bicepFiles = infraFiles.filter((f) => f.endsWith('.bicep'));
const mainBicep = read(join(INFRA, 'main.bicep'));
const functionAppBicep = read(join(INFRA, 'modules', 'functionApp.bicep'));
const rbacBicep = read(join(INFRA, 'modules', 'rbac.bicep'));
const storageBicep = read(join(INFRA, 'modules', 'storage.bicep'));
const eventHubsBicep = read(join(INFRA, 'modules', 'eventHubs.bicep'));

const mainModule = (path: string) => {
  const found = modules(mainBicep).find((m) => m.path === path || m.path.startsWith(`${path}:`));
  if (!found) throw new Error(`expected main.bicep to use module ${path}, found none`);
  return found;
};
/** `key: value` entries of a module's params object in main.bicep. */
const moduleArgs = (path: string): Map<string, string> => {
  const { declaration } = mainModule(path);
  const at = /\bparams\s*:\s*\{/.exec(declaration);
  if (!at) throw new Error(`expected params in module ${path}`);
  return new Map(topLevelEntries(bracketBody(declaration, at.index + at[0].length - 1)));
};

// ---- what the code reads -------------------------------------------------------------------------------------------

const codeFiles = filesUnder(join(ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const settingsTs = read(join(ROOT, 'src', 'settings.ts'));
const hostJson = JSON.parse(read(join(ROOT, 'host.json'))) as { extensions?: { durableTask?: { hubName?: string } } };

/** Provided by the platform, or only meaningful locally; infra need not (or must not) set them. */
const PLATFORM_SETTINGS =
  /^(NODE_ENV|WEBSITE_\w+|FUNCTIONS_\w+|AZURE_FUNCTIONS_\w+|CONTAINER_NAME|HOME|PATH|CI|STREAMFOLD_LOCAL\w*)$/;

/**
 * Names the code reads that are alternatives to what Azure uses, each with why it stays unset there. The test checks
 * the code still reads each one, so this list cannot outlive the code it describes.
 */
const ALTERNATIVES: Record<string, string> = {
  AzureWebJobsStorage:
    'a connection string (Azurite locally); in Azure the identity-based AzureWebJobsStorage__* settings replace it',
  AzureWebJobsStorage__tableServiceUri: 'an alternative to AzureWebJobsStorage__accountName for the table endpoint',
  STREAMFOLD_FAULTS:
    'fault injection for the chaos tests only (src/functions/ingest/faultInjection.ts): never set in Azure',
};

const namesRead = [
  ...new Set(codeFiles.flatMap((f) => settingNamesRead(read(f))).concat(settingsModuleKeys(settingsTs))),
].sort();
const connections = [...new Set(codeFiles.flatMap((f) => connectionsUsed(read(f))))].sort();
const requiredSettings = namesRead.filter((n) => !PLATFORM_SETTINGS.test(n) && !(n in ALTERNATIVES));
/** The app's tables: the one list every table store is built from. */
const tablesUsed: string[] = Object.values(TABLE_NAMES).sort();

// ---- what the Bicep sets -------------------------------------------------------------------------------------------

const BACKENDS = ['scheduler', 'azureStorage'] as const;
type Backend = (typeof BACKENDS)[number];

/** An object variable, or `cond == 'mode' ? a : b` over two of them, resolved for one durable backend. */
function objectVarEntries(text: string, name: string, backend: Backend): Array<[string, string]> {
  const value = varValue(text, name);
  const pick = /^durableBackend == '(\w+)' \? (\w+) : (\w+)$/.exec(value);
  if (pick) return objectVarEntries(text, (pick[1] === backend ? pick[2] : pick[3]) as string, backend);
  return topLevelEntries(varBody(text, name));
}

/** App settings as [name, value expression] for one backend: the object variables united into `var appSettings`. */
function appSettingEntries(backend: Backend = 'scheduler'): Map<string, string> {
  const value = varValue(functionAppBicep, 'appSettings');
  const m = /^union\(([\w\s,]+)\)$/.exec(value);
  if (!m) throw new Error(`expected var appSettings = union(<object vars>) in functionApp.bicep, found ${value}`);
  const names = (m[1] as string).split(',').map((a) => a.trim());
  return new Map(names.flatMap((name) => objectVarEntries(functionAppBicep, name, backend)));
}
const appSettings = appSettingEntries();
const appSettingsByBackend = new Map(BACKENDS.map((b) => [b, appSettingEntries(b)]));

const ROLE_IDS: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Azure Event Hubs Data Receiver': 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  'Azure Event Hubs Data Sender': '2b629674-e913-4c01-ae53-ef4638d8f975',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Durable Task Data Contributor': '0ad04412-c4d5-4796-b79c-f76d14c8d402',
};

/** The app's grants in every mode: Sender on "alerts" (the alerts output) and on "events" (dead-letter replay re-sends there). */
const REQUIRED_ROLES: { roleName: string; scope: string }[] = [
  { roleName: 'Storage Blob Data Owner', scope: 'storage' },
  { roleName: 'Storage Table Data Contributor', scope: 'storage' },
  { roleName: 'Azure Event Hubs Data Receiver', scope: 'eventsHub' },
  { roleName: 'Azure Event Hubs Data Sender', scope: 'alertsHub' },
  { roleName: 'Azure Event Hubs Data Sender', scope: 'eventsHub' },
  { roleName: 'Monitoring Metrics Publisher', scope: 'appInsights' },
];

/** What each backend adds: the task hub's data role (scheduler), or the task hub's queues (Azure Storage). */
const BACKEND_ROLES: Record<Backend, { roleName: string; scope: string }[]> = {
  scheduler: [{ roleName: 'Durable Task Data Contributor', scope: 'taskHub' }],
  azureStorage: [{ roleName: 'Storage Queue Data Contributor', scope: 'storage' }],
};

/** What each scope kind must resolve to: the storage account, the one hub, the App Insights component. */
const SCOPE_TARGETS: Record<string, RegExp> = {
  storage: /^storageAccount\.id$/,
  eventsHub: /^eventHubNamespace::eventsHub\.id$/,
  alertsHub: /^eventHubNamespace::alertsHub\.id$/,
  appInsights: /^applicationInsights\.id$/,
  taskHub: /^durableTaskScheduler::taskHub\.id$/,
};

/** The app's grants for one backend: `var appGrants = concat(base, durableBackend == 'scheduler' ? a : b)`. */
function appGrantsFor(backend: Backend): Array<{ roleName: string; id: string; scope: string }> {
  const m = /^concat\((\w+), durableBackend == 'scheduler' \? (\w+) : (\w+)\)$/.exec(varValue(rbacBicep, 'appGrants'));
  if (!m)
    throw new Error(
      `expected var appGrants = concat(<base>, durableBackend == 'scheduler' ? <list> : <list>), found ${varValue(rbacBicep, 'appGrants')}`,
    );
  return [...grantList(m[1] as string), ...grantList((backend === 'scheduler' ? m[2] : m[3]) as string)];
}

function grantList(name: string): Array<{ roleName: string; id: string; scope: string }> {
  const roleIds = Object.fromEntries(
    topLevelEntries(varBody(rbacBicep, 'roleIds')).map(([k, v]) => [k, v.replace(/'/g, '')]),
  );
  return [...varBody(rbacBicep, name).matchAll(/\{([^{}]*)\}/g)].map((m) => {
    const entry = m[1] as string;
    const roleName = /roleName\s*:\s*'([^']+)'/.exec(entry)?.[1];
    const idRef = /roleDefinitionId\s*:\s*roleIds\.(\w+)/.exec(entry)?.[1];
    const scope = /scope\s*:\s*'(\w+)'/.exec(entry)?.[1];
    if (!roleName || !idRef || !scope)
      throw new Error(`expected { roleName, roleDefinitionId: roleIds.x, scope } in ${name}, found ${entry.trim()}`);
    const id = roleIds[idRef];
    if (!id) throw new Error(`${name} uses roleIds.${idRef}, which roleIds does not define`);
    return { roleName, id, scope };
  });
}

describe('infra: every setting and connection the code reads is set', () => {
  it('found what the code reads at all (the extraction works)', () => {
    // Guards the text extraction itself: if it silently found nothing, every check below would pass vacuously.
    expect(requiredSettings.length).toBeGreaterThanOrEqual(8);
    expect(connections.length).toBeGreaterThanOrEqual(1);
    expect(tablesUsed.length).toBeGreaterThanOrEqual(5);
  });

  it.each(requiredSettings)('%s is set on the function app', (name) => {
    expect([...appSettings.keys()]).toContain(name);
  });

  it.each(Object.keys(ALTERNATIVES))('%s: still read by the code, and deliberately not set in Azure', (name) => {
    expect(namesRead).toContain(name);
    expect([...appSettings.keys()]).not.toContain(name);
  });

  it.each([...connections, 'AzureWebJobsStorage'])(
    'connection %s is identity-based through the one identity',
    (prefix) => {
      expect(appSettings.get(`${prefix}__credential`)).toBe("'managedidentity'");
      expect(appSettings.get(`${prefix}__clientId`)).toBe('identityClientId');
      const endpoint = ['accountName', 'fullyQualifiedNamespace', 'blobServiceUri'].filter((s) =>
        appSettings.has(`${prefix}__${s}`),
      );
      expect(endpoint).toHaveLength(1);
      // The bare name would be read as a connection string (with a key in it).
      expect(appSettings.has(prefix)).toBe(false);
    },
  );

  it('the identity-setting values are the storage account, the namespace FQDN and the Entra telemetry string', () => {
    expect(appSettings.get('AzureWebJobsStorage__accountName')).toBe('storageAccountName');
    expect(appSettings.get('EventHubConnection__fullyQualifiedNamespace')).toBe('eventHubsFullyQualifiedNamespace');
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      "'ClientId=${identityClientId};Authorization=AAD'",
    );
    const args = moduleArgs('./modules/functionApp.bicep');
    expect(args.get('storageAccountName')).toBe('storage.outputs.name');
    expect(args.get('eventHubsFullyQualifiedNamespace')).toBe('eventHubs.outputs.fullyQualifiedNamespace');
    expect(args.get('identityClientId')).toBe('identity.outputs.clientId');
    expect(args.get('identityId')).toBe('identity.outputs.resourceId');
  });

  it('the hub and consumer-group settings name the hubs and group the template creates, and the code defaults agree', () => {
    expect(appSettings.get('EVENTHUB_NAME')).toBe('eventHubName');
    expect(appSettings.get('ALERTS_EVENTHUB_NAME')).toBe('alertsEventHubName');
    expect(appSettings.get('EVENTHUB_CONSUMER_GROUP')).toBe('eventHubConsumerGroup');
    const app = moduleArgs('./modules/functionApp.bicep');
    expect(app.get('eventHubName')).toBe('eventHubs.outputs.eventsHubName');
    expect(app.get('alertsEventHubName')).toBe('eventHubs.outputs.alertsHubName');
    expect(app.get('eventHubConsumerGroup')).toBe('eventHubs.outputs.consumerGroupName');
    expect(stripComments(eventHubsBicep)).toMatch(/^output eventsHubName string = eventsHub\.name$/m);
    expect(stripComments(eventHubsBicep)).toMatch(/^output alertsHubName string = alertsHub\.name$/m);
    expect(stripComments(eventHubsBicep)).toMatch(/^output consumerGroupName string = consumerGroup\.name$/m);
    // Same hub names as the code's defaults, so a deployment and a local run talk about the same hubs.
    expect(varValue(mainBicep, 'eventsHubName')).toBe(
      `'${settingDefault(settingsTs, 'EVENTHUB_NAME') ?? '(no default)'}'`,
    );
    expect(varValue(mainBicep, 'alertsHubName')).toBe(
      `'${settingDefault(settingsTs, 'ALERTS_EVENTHUB_NAME') ?? '(no default)'}'`,
    );
  });

  it('every Streamfold setting takes its value from a functionApp.bicep parameter that main.bicep passes', () => {
    const declared = params(functionAppBicep).map((p) => p.name);
    const passed = moduleArgs('./modules/functionApp.bicep');
    for (const name of requiredSettings.filter(
      (n) => UPPER_SNAKE.test(n) && !n.startsWith('APPLICATIONINSIGHTS_') && n !== 'AZURE_CLIENT_ID',
    )) {
      const param = /^(?:string\()?(\w+)\)?(?: \? 'true' : 'false')?$/.exec(appSettings.get(name) ?? '')?.[1];
      expect({ name, param: param && declared.includes(param) && passed.has(param) ? 'passed' : param }).toEqual({
        name,
        param: 'passed',
      });
    }
  });

  it('the durable task hub name in host.json is valid (or names a setting the app gets)', () => {
    const hub = hostJson.extensions?.durableTask?.hubName;
    expect(hub).toBeDefined();
    const setting = /^%(\w+)%$/.exec(hub ?? '')?.[1];
    if (setting) expect([...appSettings.keys()]).toContain(setting);
    else expect(hub).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
  });

  it('every table the code uses is created by the template, under a valid table name', () => {
    const created = [...varBody(mainBicep, 'appTableNames').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    for (const table of tablesUsed) {
      expect(created).toContain(table);
      expect(table).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
    }
    expect(moduleArgs('./modules/storage.bicep').get('tableNames')).toBe('appTableNames');
    expect(resourceBody(storageBicep, 'tables').body).toMatch(/^\s*for\s+tableName\s+in\s+tableNames\s*:/);
  });

  it('table names have one definition: TABLE_NAMES, and no table client is opened on a literal name', () => {
    // Another `X_TABLE = '...'` constant or TABLE_NAMES object would be a second list the template check above misses.
    const defining = codeFiles
      .filter((f) => tableNamesUsed(read(f)).length > 0)
      .map((f) => relative(ROOT, f).split('\\').join('/'));
    expect(defining).toEqual(['src/storage/tableNames.ts']);
    expect(tableNamesUsed(read(join(ROOT, 'src', 'storage', 'tableNames.ts')))).toEqual(tablesUsed);
    const literalOpens = codeFiles
      .filter((f) => /\btableClientFor\(\s*['"`]/.test(read(f)))
      .map((f) => relative(ROOT, f));
    expect(literalOpens).toEqual([]);
  });

  it('the schedule defaults (template and parameters file) are NCRONTAB the timers accept, or empty (off)', () => {
    const file = JSON.parse(read(join(INFRA, 'main.parameters.json'))) as {
      parameters: Record<string, { value: unknown }>;
    };
    for (const name of ['analysisSchedule', 'idleFlushSchedule']) {
      const decl = params(mainBicep).find((p) => p.name === name);
      const values = [decl?.defaultText?.replace(/^'|'$/g, ''), file.parameters[name]?.value].filter(
        (v) => v !== undefined,
      );
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) if (value !== '') expect(() => parseNcrontab(String(value))).not.toThrow();
    }
  });
});

describe('infra: role assignments', () => {
  it('come from one loop over a list, never from repeated assignment blocks', () => {
    const all = bicepFiles.map((f) => stripComments(read(f))).join('\n');
    const assignmentResources = all.match(/'Microsoft\.Authorization\/roleAssignments@/g) ?? [];
    const assignmentModules = bicepFiles.flatMap((f) => modules(read(f))).filter((m) => /role-assignment/.test(m.path));
    expect(assignmentResources.length + assignmentModules.length).toBe(1);
    expect(assignmentModules[0]?.isLoop).toBe(true);
    expect(assignmentModules[0]?.declaration).toMatch(/^\s*for\s+\w+\s+in\s+roleAssignments\s*:/);
    expect(stripComments(varValue(rbacBicep, 'roleAssignments'))).toMatch(
      /map\(appGrants,[^\n]*managedIdentityPrincipalId/,
    );
  });

  it.each(BACKENDS)(
    'with durableBackend %s the app gets exactly the roles it needs, with the built-in ids, at the right scope',
    (backend) => {
      const expected = [...REQUIRED_ROLES, ...BACKEND_ROLES[backend]].map(({ roleName, scope }) => ({
        roleName,
        id: ROLE_IDS[roleName],
        scope,
      }));
      expect(appGrantsFor(backend)).toEqual(expect.arrayContaining(expected));
      expect(appGrantsFor(backend)).toHaveLength(expected.length);
    },
  );

  it("the task hub scope is the scheduler's task hub the template creates, and rbac waits for it", () => {
    const dts = resourceBody(rbacBicep, 'durableTaskScheduler');
    expect(dts.type).toMatch(/^Microsoft\.DurableTask\/schedulers@/);
    expect(dts.body).toMatch(/resource taskHub 'taskHubs' existing = \{\s*name: durableTaskHubName\s*\}/);
    const args = moduleArgs('./modules/rbac.bicep');
    expect(args.get('durableBackend')).toBe('durableBackend');
    // Module outputs, not plain names: the role assignment must wait for the task hub.
    expect(args.get('durableTaskSchedulerName')).toBe('useScheduler ? durableScheduler.outputs.name : schedulerName');
    expect(args.get('durableTaskHubName')).toBe('useScheduler ? durableScheduler.outputs.taskHubName : taskHubName');
  });

  it('each scope kind resolves to the right resource, and the hubs are the ones the app uses', () => {
    const scopes = new Map(topLevelEntries(varBody(rbacBicep, 'scopeIds')));
    for (const [kind, target] of Object.entries(SCOPE_TARGETS)) expect(scopes.get(kind)).toMatch(target);
    for (const { scope } of [...BACKENDS.flatMap(appGrantsFor), ...grantList('userGrants')])
      expect(scopes.has(scope)).toBe(true);
    const ns = resourceBody(rbacBicep, 'eventHubNamespace').body;
    expect(ns).toMatch(/resource eventsHub 'eventhubs' existing = \{\s*name: eventsHubName\s*\}/);
    expect(ns).toMatch(/resource alertsHub 'eventhubs' existing = \{\s*name: alertsHubName\s*\}/);
    const args = moduleArgs('./modules/rbac.bicep');
    expect(args.get('eventsHubName')).toBe('eventHubs.outputs.eventsHubName');
    expect(args.get('alertsHubName')).toBe('eventHubs.outputs.alertsHubName');
    expect(args.get('storageAccountName')).toBe('storage.outputs.name');
    expect(args.get('eventHubNamespaceName')).toBe('eventHubs.outputs.name');
    expect(args.get('applicationInsightsName')).toBe('appInsights.outputs.name');
  });

  it('the app grants go to the identity the function app runs as', () => {
    expect(moduleArgs('./modules/rbac.bicep').get('managedIdentityPrincipalId')).toBe('identity.outputs.principalId');
    expect(moduleArgs('./modules/functionApp.bicep').get('identityId')).toBe('identity.outputs.resourceId');
  });

  it('the deploying user can send test events and read results, only when the parameter allows it', () => {
    expect(grantList('userGrants')).toContainEqual({
      roleName: 'Azure Event Hubs Data Sender',
      id: ROLE_IDS['Azure Event Hubs Data Sender'],
      scope: 'eventsHub',
    });
    expect(
      grantList('userGrants').some(
        (g) => g.scope === 'storage' && /^Storage Table Data (Reader|Contributor)$/.test(g.roleName),
      ),
    ).toBe(true);
    expect(varValue(rbacBicep, 'includeUser')).toBe('grantUserAccess && !empty(userPrincipalId)');
    expect(stripComments(varValue(rbacBicep, 'roleAssignments'))).toMatch(/includeUser \? map\(userGrants,/);
    expect(moduleArgs('./modules/rbac.bicep').get('grantUserAccess')).toBe('allowUserIdentityPrincipal');
    expect(moduleArgs('./modules/rbac.bicep').get('userPrincipalId')).toBe('principalId');
  });
});

describe('infra: no keys, SAS or connection strings', () => {
  it.each(infraFiles.map((f) => [relative(ROOT, f), f]))(
    '%s lists no keys and embeds no key-based connection strings',
    (_name, file) => {
      expect(secretFindings(read(file))).toEqual([]);
    },
  );

  it('no output carries a key, SAS or connection string', () => {
    for (const file of bicepFiles) {
      for (const o of outputDecls(read(file))) {
        expect(o.name).not.toMatch(/key|sas|secret|password|token|connection_?string/i);
        expect(o.value).not.toMatch(
          /connectionString|listKeys|primaryKey|secondaryKey|instrumentationKey|AccountKey|SharedAccessKey|\bsas\b/i,
        );
      }
    }
  });

  it.each(BACKENDS)(
    "durableBackend %s: no app setting carries a key; the connection strings are App Insights' and the scheduler's identity-only one",
    (backend) => {
      for (const [name, value] of appSettingsByBackend.get(backend) ?? []) {
        expect(`${name} = ${value}`).not.toMatch(
          /AccountKey|SharedAccessKey|InstrumentationKey|listKeys|\bsas\b|secret|password|AccessKey/i,
        );
        if (/connection_?string/i.test(`${name} ${value}`))
          expect([
            'APPLICATIONINSIGHTS_CONNECTION_STRING',
            'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
            'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName',
          ]).toContain(name);
      }
      // It only names the ingestion endpoint: local auth is off on the component, telemetry needs the Entra token.
      expect(appSettings.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe('applicationInsightsConnectionString');
      expect(moduleArgs('./modules/functionApp.bicep').get('applicationInsightsConnectionString')).toBe(
        'appInsights.outputs.connectionString',
      );
      expect(mainModule('br/public:avm/res/insights/component').declaration).toMatch(/\bdisableLocalAuth\s*:\s*true\b/);
    },
  );

  it('storage: shared-key access off, TLS 1.2, no public blobs, with the queue and table services Durable needs', () => {
    const account = resourceBody(storageBicep, 'storageAccount');
    expect(account.type).toMatch(/^Microsoft\.Storage\/storageAccounts@/);
    expect(account.body).toMatch(/\ballowSharedKeyAccess\s*:\s*false\b/);
    expect(account.body).toMatch(/\bminimumTlsVersion\s*:\s*'TLS1_2'/);
    expect(account.body).toMatch(/\ballowBlobPublicAccess\s*:\s*false\b/);
    for (const file of bicepFiles) expect(stripComments(read(file))).not.toMatch(/allowSharedKeyAccess\s*:\s*true/);
    const types = resources(storageBicep).map((r) => r.type.split('@')[0]);
    expect(types).toEqual(
      expect.arrayContaining([
        'Microsoft.Storage/storageAccounts/queueServices',
        'Microsoft.Storage/storageAccounts/tableServices',
        'Microsoft.Storage/storageAccounts/blobServices/containers',
      ]),
    );
  });

  it('Event Hubs: Standard, local (SAS) auth off, TLS 1.2, no authorization rules anywhere', () => {
    const ns = resourceBody(eventHubsBicep, 'namespace').body;
    expect(ns).toMatch(/name: 'Standard'/);
    expect(ns).toMatch(/\bdisableLocalAuth\s*:\s*true\b/);
    expect(ns).toMatch(/\bminimumTlsVersion\s*:\s*'1\.2'/);
    for (const file of bicepFiles) expect(stripComments(read(file))).not.toMatch(/authorizationRules/i);
    expect(resourceBody(eventHubsBicep, 'consumerGroup').body).toMatch(/parent:\s*eventsHub\b/);
  });
});

describe('infra: the function app', () => {
  const site = resourceBody(functionAppBicep, 'functionApp').body;

  it('Flex Consumption (FC1), Linux, Node, the parameters for memory and scale-out', () => {
    const plan = mainModule('br/public:avm/res/web/serverfarm').declaration;
    expect(plan).toMatch(/name: 'FC1'/);
    expect(plan).toMatch(/tier: 'FlexConsumption'/);
    expect(site).toMatch(/kind\s*:\s*'functionapp,linux'/);
    expect(site).toMatch(/runtime\s*:\s*\{\s*name\s*:\s*'node'\s*version\s*:\s*nodeVersion\s*\}/);
    expect(site).toMatch(/instanceMemoryMB\s*:\s*instanceMemoryMB/);
    expect(site).toMatch(/maximumInstanceCount\s*:\s*maximumInstanceCount/);
    const passed = moduleArgs('./modules/functionApp.bicep');
    for (const p of ['nodeVersion', 'instanceMemoryMB', 'maximumInstanceCount']) expect(passed.get(p)).toBe(p);
  });

  it('the Node version the template can pick satisfies package.json engines, and the default is 22', () => {
    const engines = (JSON.parse(read(join(ROOT, 'package.json'))) as { engines?: { node?: string } }).engines?.node;
    expect(engines).toBeDefined();
    const decl = params(mainBicep).find((p) => p.name === 'nodeVersion');
    expect(decl?.defaultText).toBe("'22'");
    const values = [...(decl?.allowed ?? []), decl?.defaultText ?? ''].map((v) => Number(v.replace(/'/g, '')));
    for (const major of values)
      expect({ major, ok: majorSatisfies(major, engines ?? '') }).toEqual({ major, ok: true });
  });

  it('HTTPS only, TLS 1.2, FTP off and no basic-auth publishing credentials', () => {
    expect(site).toMatch(/\bhttpsOnly\s*:\s*true\b/);
    expect(site).toMatch(/\bminTlsVersion\s*:\s*'1\.2'/);
    expect(site).toMatch(/\bftpsState\s*:\s*'Disabled'/);
    for (const symbol of ['ftpBasicAuth', 'scmBasicAuth']) {
      const policy = resourceBody(functionAppBicep, symbol);
      expect(policy.type).toMatch(/^Microsoft\.Web\/sites\/basicPublishingCredentialsPolicies@/);
      expect(policy.body).toMatch(/allow\s*:\s*false/);
    }
    expect(resourceBody(functionAppBicep, 'ftpBasicAuth').body).toMatch(/name: 'ftp'/);
    expect(resourceBody(functionAppBicep, 'scmBasicAuth').body).toMatch(/name: 'scm'/);
  });

  it('deploys from a blob container reached with the user-assigned identity, which is the only identity', () => {
    expect(site).toMatch(/type\s*:\s*'blobContainer'/);
    expect(site).toMatch(
      /authentication\s*:\s*\{\s*type\s*:\s*'UserAssignedIdentity'\s*userAssignedIdentityResourceId\s*:\s*identityId\s*\}/,
    );
    expect(site).toMatch(/identity\s*:\s*\{\s*type\s*:\s*'UserAssigned'/);
    expect(moduleArgs('./modules/storage.bicep').get('deploymentContainerName')).toBe('deploymentContainerName');
    expect(moduleArgs('./modules/functionApp.bicep').get('deploymentContainerName')).toBe('deploymentContainerName');
  });

  it('the app settings resource holds exactly the settings checked above', () => {
    const config = resourceBody(functionAppBicep, 'functionAppSettings').body;
    expect(config).toMatch(/name: 'appsettings'/);
    expect(config).toMatch(/properties: appSettings\s*$/);
  });
});

describe('infra: the durable backend', () => {
  const PROVIDER = 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__';
  const schedulerModule = read(join(INFRA, 'modules', 'durableTaskScheduler.bicep'));

  it('durableBackend is scheduler by default, or azureStorage; the parameters for SKU, capacity and allow list exist', () => {
    const decl = params(mainBicep).find((p) => p.name === 'durableBackend');
    expect(decl?.allowed).toEqual(["'scheduler'", "'azureStorage'"]);
    expect(decl?.defaultText).toBe("'scheduler'");
    expect(params(mainBicep).find((p) => p.name === 'schedulerSkuName')?.allowed).toEqual([
      "'Consumption'",
      "'Dedicated'",
    ]);
    const capacity = params(mainBicep).find((p) => p.name === 'schedulerCapacity');
    expect([capacity?.minValue, capacity?.maxValue]).toEqual([1, 3]);
    expect(params(mainBicep).find((p) => p.name === 'schedulerIpAllowlist')?.type).toBe('array');
  });

  it('the scheduler and its task hub are created only in scheduler mode, with the SKU, capacity and the required allow list', () => {
    const m = mainModule('./modules/durableTaskScheduler.bicep');
    expect(stripComments(mainBicep)).toMatch(
      /^module durableScheduler '\.\/modules\/durableTaskScheduler\.bicep' = if \(useScheduler\) \{/m,
    );
    expect(varValue(mainBicep, 'useScheduler')).toBe("durableBackend == 'scheduler'");
    const args = moduleArgs('./modules/durableTaskScheduler.bicep');
    expect(
      Object.fromEntries(['skuName', 'capacity', 'ipAllowlist', 'taskHubName'].map((k) => [k, args.get(k)])),
    ).toEqual({
      skuName: 'schedulerSkuName',
      capacity: 'schedulerCapacity',
      ipAllowlist: 'schedulerIpAllowlist',
      taskHubName: 'taskHubName',
    });
    expect(m.params).toContain('tags');
    const scheduler = resourceBody(schedulerModule, 'scheduler');
    expect(scheduler.type).toMatch(/^Microsoft\.DurableTask\/schedulers@\d{4}-\d{2}-\d{2}$/);
    expect(scheduler.body).toMatch(/\bipAllowlist\s*:\s*ipAllowlist\b/);
    expect(scheduler.body).toMatch(
      /\bsku\s*:\s*skuName == 'Dedicated' \? \{ name: skuName, capacity: capacity \} : \{ name: skuName \}/,
    );
    const hub = resourceBody(schedulerModule, 'taskHub');
    expect(hub.type).toMatch(/^Microsoft\.DurableTask\/schedulers\/taskHubs@/);
    expect(hub.body).toMatch(/parent:\s*scheduler\b[\s\S]*name:\s*taskHubName\b/);
    // The default allow list is not empty: an empty one denies every caller.
    expect(params(mainBicep).find((p) => p.name === 'schedulerIpAllowlist')?.defaultText).toBe('[');
    expect(stripComments(mainBicep)).toMatch(/param schedulerIpAllowlist array = \[\s*'0\.0\.0\.0\/0'\s*\]/);
  });

  it('scheduler mode: the provider is azureManaged, its connection names the endpoint and the identity, and no key', () => {
    const s = appSettingsByBackend.get('scheduler') as Map<string, string>;
    expect(s.get(`${PROVIDER}type`)).toBe("'azureManaged'");
    expect(s.get(`${PROVIDER}connectionStringName`)).toBe("'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'");
    expect(s.get('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')).toBe(
      "'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'",
    );
    expect(s.has(`${PROVIDER}partitionCount`)).toBe(false);
    expect(moduleArgs('./modules/functionApp.bicep').get('durableTaskSchedulerEndpoint')).toBe(
      "useScheduler ? durableScheduler.outputs.endpoint : ''",
    );
    expect(outputDecls(schedulerModule).find((o) => o.name === 'endpoint')?.value).toBe(
      'scheduler.properties.endpoint',
    );
  });

  it("Azure Storage mode: today's provider through AzureWebJobsStorage, 16 partitions, no scheduler connection", () => {
    const s = appSettingsByBackend.get('azureStorage') as Map<string, string>;
    expect(s.get(`${PROVIDER}partitionCount`)).toBe("'16'");
    expect(
      [...s.keys()].filter((k) => /DURABLE_TASK_SCHEDULER|connectionStringName|storageProvider__type/.test(k)),
    ).toEqual([]);
    expect(s.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
  });

  it('both modes keep every other setting the same, and host.json sets no provider (the settings choose it)', () => {
    const strip = (m: Map<string, string>) =>
      [...m.keys()].filter((k) => !k.startsWith(PROVIDER) && k !== 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING').sort();
    expect(strip(appSettingsByBackend.get('scheduler') as Map<string, string>)).toEqual(
      strip(appSettingsByBackend.get('azureStorage') as Map<string, string>),
    );
    const durable = (hostJson.extensions?.durableTask ?? {}) as Record<string, unknown>;
    expect(durable['storageProvider']).toBeUndefined();
    expect(moduleArgs('./modules/functionApp.bicep').get('durableBackend')).toBe('durableBackend');
  });

  it('the scheduler module lists no keys and outputs none', () => {
    expect(secretFindings(schedulerModule)).toEqual([]);
    for (const o of outputDecls(schedulerModule)) expect(o.value).not.toMatch(/key|secret|connectionString/i);
  });
});

describe('infra: template structure', () => {
  const allModules = bicepFiles.flatMap((file) => modules(read(file)).map((m) => ({ ...m, file })));

  it('main.bicep targets a resource group and composes modules from infra/modules', () => {
    expect(stripComments(mainBicep)).toMatch(/^targetScope = 'resourceGroup'$/m);
    expect(stripComments(mainBicep)).not.toMatch(/Microsoft\.Resources\/resourceGroups@|\bscope:\s*rg\b/);
    const local = modules(mainBicep).filter((m) => !m.path.startsWith('br'));
    expect(local.map((m) => m.path).sort()).toEqual([
      './modules/durableTaskScheduler.bicep',
      './modules/eventHubs.bicep',
      './modules/functionApp.bicep',
      './modules/rbac.bicep',
      './modules/storage.bicep',
    ]);
  });

  it('names derive from the abbreviations and the resource token, and everything is tagged', () => {
    expect(varValue(mainBicep, 'resourceToken')).toBe(
      'toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))',
    );
    expect(varValue(mainBicep, 'tags')).toBe("{ 'azd-env-name': environmentName }");
    expect(stripComments(functionAppBicep)).toMatch(/tags: union\(tags, \{ 'azd-service-name': serviceName \}\)/);
    const abbrs = JSON.parse(read(join(INFRA, 'abbreviations.json'))) as Record<string, string>;
    const used = bicepFiles.flatMap((f) => abbreviationsUsed(read(f)));
    expect(used.length).toBeGreaterThanOrEqual(7);
    for (const key of used) expect(Object.keys(abbrs)).toContain(key);
    // Role assignments take no tags; every module that creates resources tags them.
    for (const m of modules(mainBicep).filter((m) => m.symbol !== 'rbac')) expect(m.params).toContain('tags');
  });

  it.each(allModules.map((m) => [`${relative(ROOT, m.file)} ${m.symbol}`, m]))(
    '%s: local path exists or AVM is pinned',
    (_n, m) => {
      if (m.path.startsWith('br/') || m.path.startsWith('br:')) expect(m.path).toMatch(PINNED_AVM);
      else expect(existsSync(resolve(dirname(m.file), m.path))).toBe(true);
    },
  );

  it.each(allModules.filter((m) => !m.path.startsWith('br')).map((m) => [m.path, m]))(
    '%s: every param passed is declared and every required param is passed',
    (_n, m) => {
      const declared = params(read(resolve(dirname(m.file), m.path)));
      for (const p of m.params) expect(declared.map((d) => d.name)).toContain(p);
      for (const d of declared.filter((d) => !d.hasDefault)) expect(m.params).toContain(d.name);
    },
  );

  it('outputs read from local modules exist in those modules', () => {
    for (const file of bicepFiles) {
      const local = new Map(
        modules(read(file))
          .filter((m) => !m.path.startsWith('br'))
          .map((m) => [m.symbol, m.path]),
      );
      for (const [symbol, name] of outputReferences(read(file))) {
        const path = local.get(symbol);
        if (path) expect(outputs(read(resolve(dirname(file), path)))).toContain(name);
      }
    }
  });

  it('outputs are UPPER_SNAKE_CASE for azd and cover the app, its URL, the namespace, the hubs and the resource group', () => {
    const names = outputs(mainBicep);
    for (const name of names) expect(name).toMatch(UPPER_SNAKE);
    expect(names).toEqual(
      expect.arrayContaining([
        'AZURE_FUNCTION_APP_NAME',
        'SERVICE_API_NAME',
        'SERVICE_API_URI',
        'EVENTHUBS_NAMESPACE',
        'EVENTHUBS_FULLY_QUALIFIED_NAMESPACE',
        'EVENTHUB_NAME',
        'ALERTS_EVENTHUB_NAME',
        'EVENTHUB_CONSUMER_GROUP',
        'AZURE_RESOURCE_GROUP',
      ]),
    );
  });
});

describe('infra: parameters file and azd', () => {
  const file = JSON.parse(read(join(INFRA, 'main.parameters.json'))) as {
    parameters: Record<string, { value: unknown }>;
  };
  const declared = new Map(params(mainBicep).map((p) => [p.name, p]));

  it("the issue's parameters exist in main.bicep", () => {
    for (const name of [
      'environmentName',
      'location',
      'eventHubPartitionCount',
      'eventHubThroughputUnits',
      'eventHubAutoInflateEnabled',
      'eventHubMaximumThroughputUnits',
      'eventHubMessageRetentionInDays',
      'analysisSchedule',
      'streamRetentionWindows',
      'instanceMemoryMB',
      'maximumInstanceCount',
      'principalId',
      'allowUserIdentityPrincipal',
    ]) {
      expect([...declared.keys()]).toContain(name);
    }
  });

  it('sets only declared parameters, every required one, with values of the declared type and range', () => {
    for (const d of declared.values()) if (!d.hasDefault) expect(Object.keys(file.parameters)).toContain(d.name);
    for (const [name, { value }] of Object.entries(file.parameters)) {
      const d = declared.get(name);
      expect({ name, declared: d !== undefined }).toEqual({ name, declared: true });
      if (!d) continue;
      expect({ name, type: typeof value }).toEqual({
        name,
        type: d.type === 'int' ? 'number' : d.type === 'bool' ? 'boolean' : 'string',
      });
      if (typeof value === 'number') {
        if (d.minValue !== undefined) expect(value).toBeGreaterThanOrEqual(d.minValue);
        if (d.maxValue !== undefined) expect(value).toBeLessThanOrEqual(d.maxValue);
      }
      if (d.allowed && !/^\$\{/.test(String(value)))
        expect(d.allowed).toContain(typeof value === 'string' ? `'${value}'` : String(value));
    }
  });

  it('only environmentName is an azd placeholder (az deployment does not substitute them; docs/how-to/deploy.md overrides it)', () => {
    const placeholders = Object.entries(file.parameters).filter(([, { value }]) => /\$\{/.test(String(value)));
    expect(placeholders).toEqual([['environmentName', { value: '${AZURE_ENV_NAME}' }]]);
  });

  it('azure.yaml deploys the api service as a TypeScript function app from the repo root, built first', () => {
    const yaml = read(join(ROOT, 'azure.yaml'));
    expect(yaml).toMatch(/^ {2}path: infra$/m);
    expect(yaml).toMatch(/^ {2}module: main$/m);
    const service = /^services:\n {2}api:\n((?: {4}.*\n?)+)/m.exec(yaml)?.[1] ?? '';
    expect(service).toMatch(/^ {4}project: \.$/m);
    expect(service).toMatch(/^ {4}language: (ts|js)$/m);
    expect(service).toMatch(/^ {4}host: function$/m);
    expect(service).toMatch(/npm ci\b[^\n]*npm run build/);
    // azd finds the app through the azd-service-name tag, derived from serviceName.
    expect(params(functionAppBicep).find((p) => p.name === 'serviceName')?.defaultText).toBe("'api'");
  });
});

describe('infra: the deploy how-to (docs/how-to/deploy.md) follows the template', () => {
  const section = read(join(ROOT, 'docs', 'how-to', 'deploy.md'));
  const start = section.indexOf('# How to deploy to Azure\n');

  it('documents the resource-group deployment with the parameters file and the environment parameter', () => {
    expect(start).toBeGreaterThanOrEqual(0);
    expect(section).toMatch(/az group create --name (\S+) --location/);
    expect(section).toMatch(
      /az deployment group create -g \S+ -f infra\/main\.bicep \\\n\s+-p infra\/main\.parameters\.json -p environmentName=\w+/,
    );
    expect(section).not.toMatch(/az deployment sub\b/);
    expect(section).toMatch(/azd env set AZURE_RESOURCE_GROUP /);
  });

  it('names every parameter and every output of main.bicep', () => {
    for (const { name } of params(mainBicep))
      expect({ name, documented: section.includes(`\`${name}\``) }).toEqual({ name, documented: true });
    for (const name of outputs(mainBicep))
      expect({ name, documented: section.includes(`\`${name}\``) || section.includes(`${name})`) }).toEqual({
        name,
        documented: true,
      });
  });

  it('sends test events with the flags tools/send really has', () => {
    const cli = read(join(ROOT, 'tools', 'send', 'cli.ts'));
    const sends = [...section.matchAll(/npm run send -- ([^\n]+)/g)].map((m) => m[1] as string);
    expect(sends.length).toBeGreaterThan(0);
    for (const flag of sends.flatMap((s) => s.match(/--[a-z-]+/g) ?? [])) expect(cli).toContain(`'${flag}`);
    expect(sends.join(' ')).toMatch(/--namespace "\$NS"/);
  });
});

describe('infra: App Service Authentication for the dashboard (dashboardAuthClientId)', () => {
  it('is off by default and, when a registration is given, signs browsers in with Entra ID on every route but /api/health', () => {
    const param = params(mainBicep).find((p) => p.name === 'dashboardAuthClientId');
    expect(param).toBeDefined();
    expect(mainBicep).toMatch(/param dashboardAuthClientId string = ''/);
    expect(mainBicep).toMatch(/dashboardAuthClientId: dashboardAuthClientId/);
    const auth = stripComments(functionAppBicep);
    expect(auth).toMatch(
      /resource authSettings 'Microsoft\.Web\/sites\/config@[\d-]+' = if \(!empty\(dashboardAuthClientId\)\)/,
    );
    expect(auth).toMatch(/name: 'authsettingsV2'/);
    expect(auth).toMatch(/requireAuthentication: true/);
    expect(auth).toMatch(/unauthenticatedClientAction: 'RedirectToLoginPage'/);
    expect(auth).toMatch(/excludedPaths: \[\s*'\/api\/health'\s*\]/);
    expect(auth).toMatch(/clientId: dashboardAuthClientId/);
    // No secret to keep: the sign-in uses ID tokens only.
    expect(auth).not.toMatch(/clientSecret/);
  });
});
