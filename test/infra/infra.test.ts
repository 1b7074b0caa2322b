import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import {
  abbreviationsUsed,
  bracketBody,
  modules,
  outputReferences,
  outputs,
  params,
  PINNED_AVM,
  secretFindings,
  settingNamesRead,
  settingsModuleKeys,
  stripComments,
  topLevelKeys,
  UPPER_SNAKE,
  varBody,
} from './bicepText';

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
const apiBicep = read(join(INFRA, 'app', 'api.bicep'));
const rbacBicep = read(join(INFRA, 'app', 'rbac.bicep'));

/** Built-in role ids, from the Azure built-in roles reference; a typo in a GUID grants nothing (or the wrong thing). */
const REQUIRED_ROLES: Record<string, { id: string; scope: string }> = {
  'Storage Blob Data Owner': { id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', scope: 'storage' },
  'Storage Queue Data Contributor': { id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88', scope: 'storage' },
  'Storage Table Data Contributor': { id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', scope: 'storage' },
  'Azure Event Hubs Data Receiver': { id: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde', scope: 'eventHubs' },
  'Azure Event Hubs Data Sender': { id: '2b629674-e913-4c01-ae53-ef4638d8f975', scope: 'eventHubs' },
  'Monitoring Metrics Publisher': { id: '3913510d-42f4-4e42-8a64-420c390055eb', scope: 'appInsights' },
};

/** Settings the app needs when src/settings.ts does not exist yet (the brief's list). */
const BASELINE_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'EventHubConnection__fullyQualifiedNamespace',
  'EventHubConnection__credential',
  'EventHubConnection__clientId',
  'EVENTHUB_NAME',
  'EVENTHUB_CONSUMER_GROUP',
  'ALERTS_EVENTHUB_NAME',
  'ANALYSIS_SCHEDULE',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

/** Provided by the platform or only meaningful locally; infra must not (or need not) set them. */
const PLATFORM_SETTINGS = /^(NODE_ENV|WEBSITE_\w+|FUNCTIONS_\w+|AZURE_FUNCTIONS_\w+|CONTAINER_NAME|HOME|PATH|CI|STREAMFOLD_LOCAL\w*)$/;

/** App setting names api.bicep hands to the site: keys of every object variable in the appSettingsKeyValuePairs union. */
function appSettingNames(): string[] {
  const clean = stripComments(apiBicep);
  const at = /appSettingsKeyValuePairs\s*:\s*union\(/.exec(clean);
  if (!at) throw new Error('expected appSettingsKeyValuePairs: union(...) in infra/app/api.bicep, found none');
  const args = bracketBody(clean, at.index + at[0].length - 1)
    .split(',')
    .map((a) => a.trim());
  return args.filter((a) => a !== 'appSettings').flatMap((name) => topLevelKeys(varBody(apiBicep, name)));
}

function roleList(): Array<{ roleName: string; id: string; scope: string }> {
  const roleIds = Object.fromEntries(
    [...varBody(rbacBicep, 'roleIds').matchAll(/(\w+)\s*:\s*'([0-9a-f-]{36})'/g)].map((m) => [m[1], m[2]]),
  );
  return [...varBody(rbacBicep, 'appGrants').matchAll(/\{([^{}]*)\}/g)].map((m) => {
    const entry = m[1] as string;
    const roleName = /roleName\s*:\s*'([^']+)'/.exec(entry)?.[1];
    const idRef = /roleDefinitionId\s*:\s*roleIds\.(\w+)/.exec(entry)?.[1];
    const scope = /scope\s*:\s*'(\w+)'/.exec(entry)?.[1];
    if (!roleName || !idRef || !scope) {
      throw new Error(`expected { roleName, roleDefinitionId: roleIds.x, scope } in appGrants, found ${entry.trim()}`);
    }
    const id = roleIds[idRef];
    if (!id) throw new Error(`appGrants uses roleIds.${idRef}, which roleIds does not define`);
    return { roleName, id, scope };
  });
}

describe('the text helpers catch what the infra checks rely on', () => {
  it('blanks comments but keeps strings, so a URL in a string survives', () => {
    const text = "var a = 'https://x' // note\n/* block\n */ var b = 1";
    const clean = stripComments(text);
    expect(clean).toContain("'https://x'");
    expect(clean).not.toContain('note');
    expect(clean).not.toContain('block');
    expect(clean).toHaveLength(text.length);
  });

  it('flags key listing and account keys', () => {
    expect(secretFindings("value: stg.listKeys().keys[0].value")).not.toHaveLength(0);
    expect(secretFindings("'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${k}'")).not.toHaveLength(0);
    expect(secretFindings("'Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=k'")).not.toHaveLength(0);
    expect(secretFindings("AzureWebJobsStorage__credential: 'managedidentity'")).toHaveLength(0);
  });

  it('reads module params and loops', () => {
    const text = "module m './x.bicep' = [\n  for a in list: {\n    name: a\n    params: {\n      one: a.x\n      two: { nested: 1 }\n    }\n  }\n]\n";
    const [decl] = modules(text);
    expect(decl?.isLoop).toBe(true);
    expect(decl?.params).toEqual(['one', 'two']);
  });

  it('finds the setting names a settings module defines as object keys', () => {
    const src = "const schema = z.object({\n  EVENTHUB_NAME: name('events'),\n  PIPELINE_REFRESH_SECONDS: positiveInt(10),\n  eventHubName: x,\n});";
    expect(settingsModuleKeys(src)).toEqual(['EVENTHUB_NAME', 'PIPELINE_REFRESH_SECONDS']);
  });

  it('finds setting names in code', () => {
    const src = "const a = process.env.EVENTHUB_NAME; const b = env['ANALYSIS_SCHEDULE'];\n" +
      "app.eventHub('ingest', { connection: 'EventHubConnection', eventHubName: '%EVENTHUB_NAME%' });";
    expect(settingNamesRead(src)).toEqual(['ANALYSIS_SCHEDULE', 'EVENTHUB_NAME', 'EventHubConnection__']);
  });
});

describe('infra: no secrets', () => {
  it.each(infraFiles.map((f) => [relative(ROOT, f), f]))('%s lists no keys and embeds no key-based connection strings', (_name, file) => {
    expect(secretFindings(read(file))).toEqual([]);
  });

  it('storage account disables shared keys and public blob access', () => {
    const storage = modules(mainBicep).find((m) => m.path.startsWith('br/public:avm/res/storage/storage-account:'));
    expect(storage).toBeDefined();
    expect(storage?.declaration).toMatch(/\ballowSharedKeyAccess\s*:\s*false\b/);
    expect(storage?.declaration).toMatch(/\ballowBlobPublicAccess\s*:\s*false\b/);
    for (const file of bicepFiles) expect(stripComments(read(file))).not.toMatch(/allowSharedKeyAccess\s*:\s*true/);
  });

  it('Event Hubs and Application Insights have local (key) auth disabled', () => {
    const byPath = (prefix: string) => modules(mainBicep).find((m) => m.path.startsWith(prefix));
    expect(byPath('br/public:avm/res/event-hub/namespace:')?.declaration).toMatch(/\bdisableLocalAuth\s*:\s*true\b/);
    expect(byPath('br/public:avm/res/insights/component:')?.declaration).toMatch(/\bdisableLocalAuth\s*:\s*true\b/);
  });

  it('the hubs get no SAS authorization rules of their own', () => {
    const ns = modules(mainBicep).find((m) => m.path.startsWith('br/public:avm/res/event-hub/namespace:'));
    const eventhubs = /\beventhubs\s*:\s*\[/.exec(ns?.declaration ?? '');
    expect(eventhubs).not.toBeNull();
    const hubs = bracketBody(ns?.declaration ?? '', (eventhubs?.index ?? 0) + (eventhubs?.[0].length ?? 0) - 1);
    const names = [...hubs.matchAll(/\bname\s*:\s*(\w+)/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect([...hubs.matchAll(/authorizationRules\s*:\s*\[\s*\]/g)]).toHaveLength(2);
  });
});

describe('infra: role assignments', () => {
  it('come from one loop over a list, never from repeated assignment blocks', () => {
    const all = bicepFiles.map((f) => stripComments(read(f))).join('\n');
    const assignmentResources = all.match(/'Microsoft\.Authorization\/roleAssignments@/g) ?? [];
    const assignmentModules = modules(rbacBicep).filter((m) => /role-assignment/.test(m.path));
    expect(assignmentResources.length + assignmentModules.length).toBe(1);
    for (const m of assignmentModules) {
      expect(m.isLoop).toBe(true);
      expect(m.declaration).toMatch(/^\s*for\s+\w+\s+in\s+roleAssignments\s*:/);
    }
  });

  it('every role Streamfold needs is in the list, with the right id and scope', () => {
    const list = roleList();
    for (const [roleName, { id, scope }] of Object.entries(REQUIRED_ROLES)) {
      expect(list).toContainEqual({ roleName, id, scope });
    }
  });

  it('every scope kind in the list maps to a resource', () => {
    const scopes = topLevelKeys(varBody(rbacBicep, 'scopeIds'));
    for (const { scope } of roleList()) expect(scopes).toContain(scope);
  });

  it('main.bicep hands the managed identity principal to the RBAC module', () => {
    const rbac = modules(mainBicep).find((m) => m.path === './app/rbac.bicep');
    expect(rbac?.declaration).toMatch(/managedIdentityPrincipalId\s*:\s*apiUserAssignedIdentity\.outputs\.principalId/);
  });
});

describe('infra: app settings', () => {
  const set = appSettingNames();
  const settingsTs = join(ROOT, 'src', 'settings.ts');
  const sources = [settingsTs, ...(existsSync(join(ROOT, 'src', 'functions')) ? filesUnder(join(ROOT, 'src', 'functions')) : [])]
    .filter((f) => existsSync(f) && f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const fromCode = [
    ...sources.flatMap((f) => settingNamesRead(read(f))),
    ...(existsSync(settingsTs) ? settingsModuleKeys(read(settingsTs)) : []),
  ].filter((n) => !PLATFORM_SETTINGS.test(n));
  const required = [...new Set(existsSync(settingsTs) ? [...fromCode, ...BASELINE_SETTINGS] : [...BASELINE_SETTINGS, ...fromCode])];

  it.each(required)('%s is set on the function app', (name) => {
    // A connection name is satisfied by its identity-based form (NAME__accountName, NAME__fullyQualifiedNamespace, ...).
    const prefix = name.endsWith('__') ? name : `${name}__`;
    expect(set.some((s) => s === name || s.startsWith(prefix))).toBe(true);
  });

  it('identity-based connections name the credential and the client id of the one identity', () => {
    for (const prefix of ['AzureWebJobsStorage', 'EventHubConnection']) {
      expect(set).toEqual(expect.arrayContaining([`${prefix}__credential`, `${prefix}__clientId`]));
    }
    const identity = stripComments(varBody(apiBicep, 'identitySettings'));
    expect(identity).toMatch(/AzureWebJobsStorage__credential\s*:\s*'managedidentity'/);
    expect(identity).toMatch(/EventHubConnection__credential\s*:\s*'managedidentity'/);
    expect(identity).toMatch(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING\s*:\s*'ClientId=\$\{identityClientId\};Authorization=AAD'/);
  });

  it('no plain AzureWebJobsStorage (that would be a connection string)', () => {
    expect(set).not.toContain('AzureWebJobsStorage');
  });

  it('hub names match the hubs main.bicep creates, and the schedule default is hourly', () => {
    expect(mainBicep).toMatch(/var eventsHubName = 'events'/);
    expect(mainBicep).toMatch(/var alertsHubName = 'alerts'/);
    expect(mainBicep).toMatch(/param analysisSchedule string = '0 0 \* \* \* \*'/);
    expect(mainBicep).toMatch(/param eventHubPartitionCount int = 4/);
  });
});

describe('infra: modules and names', () => {
  const allModules = bicepFiles.flatMap((file) => modules(read(file)).map((m) => ({ ...m, file })));

  it('found the modules at all', () => {
    expect(allModules.length).toBeGreaterThanOrEqual(9);
  });

  it.each(allModules.map((m) => [`${relative(ROOT, m.file)} ${m.symbol}`, m]))('%s: local path exists or AVM is pinned', (_n, m) => {
    if (m.path.startsWith('br/') || m.path.startsWith('br:')) {
      expect(m.path).toMatch(PINNED_AVM);
    } else {
      expect(existsSync(resolve(dirname(m.file), m.path))).toBe(true);
    }
  });

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
      const local = new Map(modules(read(file)).filter((m) => !m.path.startsWith('br')).map((m) => [m.symbol, m.path]));
      for (const [symbol, name] of outputReferences(read(file))) {
        const path = local.get(symbol);
        if (path) expect(outputs(read(resolve(dirname(file), path)))).toContain(name);
      }
    }
  });

  it('every main.bicep output is UPPER_SNAKE_CASE, and the azd essentials are there', () => {
    const names = outputs(mainBicep);
    for (const name of names) expect(name).toMatch(UPPER_SNAKE);
    expect(names).toEqual(
      expect.arrayContaining([
        'AZURE_LOCATION',
        'AZURE_TENANT_ID',
        'SERVICE_API_NAME',
        'AZURE_FUNCTION_APP_NAME',
        'RESOURCE_GROUP',
        'EVENTHUBS_NAMESPACE',
      ]),
    );
  });

  it('every abbreviation used exists in abbreviations.json', () => {
    const abbrs = JSON.parse(read(join(INFRA, 'abbreviations.json'))) as Record<string, string>;
    const used = bicepFiles.flatMap((f) => abbreviationsUsed(read(f)));
    expect(used.length).toBeGreaterThan(0);
    for (const key of used) expect(Object.keys(abbrs)).toContain(key);
  });

  it('names derive from the resource token azd expects', () => {
    expect(stripComments(mainBicep)).toContain(
      'var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))',
    );
    expect(mainBicep).toMatch(/^targetScope = 'subscription'$/m);
  });
});

describe('azd wiring', () => {
  const parameters = JSON.parse(read(join(INFRA, 'main.parameters.json'))) as { parameters: Record<string, { value: unknown }> };
  const declared = params(mainBicep);

  it('main.parameters.json sets only declared params, every required one, from azd environment values', () => {
    const names = Object.keys(parameters.parameters);
    for (const name of names) expect(declared.map((d) => d.name)).toContain(name);
    for (const d of declared.filter((d) => !d.hasDefault)) expect(names).toContain(d.name);
    expect(parameters.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.parameters.location?.value).toBe('${AZURE_LOCATION}');
    for (const { value } of Object.values(parameters.parameters)) expect(String(value)).toMatch(/^\$\{[A-Z_]+(=[^}]*)?\}$/);
  });

  it('azure.yaml deploys the api service as a TypeScript function app from the repo root, built first', () => {
    const yaml = read(join(ROOT, 'azure.yaml'));
    const service = /^services:\n {2}api:\n((?: {4}.*\n?)+)/m.exec(yaml)?.[1] ?? '';
    expect(service).toMatch(/^ {4}project: \.$/m);
    expect(service).toMatch(/^ {4}language: (ts|js)$/m);
    expect(service).toMatch(/^ {4}host: function$/m);
    expect(service).toMatch(/npm ci\b[^\n]*npm run build/);
    // azd finds the app through the azd-service-name tag, which api.bicep derives from serviceName.
    expect(apiBicep).toMatch(/param serviceName string = 'api'/);
    expect(stripComments(apiBicep)).toMatch(/'azd-service-name'\s*:\s*serviceName/);
  });

  it('the app runs Node on Flex Consumption with a deployment container reached by the identity', () => {
    expect(mainBicep).toMatch(/name: 'FC1'/);
    expect(mainBicep).toMatch(/tier: 'FlexConsumption'/);
    expect(mainBicep).toMatch(/param nodeVersion string = '(20|22)'/);
    const api = stripComments(apiBicep);
    expect(api).toMatch(/type\s*:\s*'UserAssignedIdentity'/);
    expect(api).toMatch(/kind\s*:\s*'functionapp,linux'/);
  });
});
