import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FAULTS_SETTING } from '../../src/functions/ingest/faultInjection';
import { LOADED_SETTING_NAMES, loadSettings, SETTINGS_REFERENCE } from '../../src/settings';
import { repoRoot } from '../support/repoRoot';

/** docs/reference/settings.md is generated from SETTINGS_REFERENCE: it must hold every setting the code reads. */
const documented = new Map(SETTINGS_REFERENCE.map((s) => [s.name, s]));

function sourceTexts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceTexts(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

/** Names the code reads: binding expressions (%NAME%), binding connections, env lookups by literal name. */
function namesReadByCode(): string[] {
  const texts = [...sourceTexts(join(repoRoot, 'src')), readFileSync(join(repoRoot, 'host.json'), 'utf8')];
  const names = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)) names.add(m[1] as string);
    for (const m of text.matchAll(/\bconnection\s*:\s*'(\w+)'/g)) names.add(m[1] as string);
    for (const m of text.matchAll(/\b(?:env|process\.env)\[\s*'(\w+)'\s*\]|\braw\(env, '(\w+)'\)/g))
      names.add((m[1] ?? m[2]) as string);
    for (const m of text.matchAll(/\$\{SETTING\}(__\w+)/g)) names.add(`AzureWebJobsStorage${m[1] as string}`);
  }
  return [...names].sort();
}

describe('the settings reference', () => {
  it('finds the names the code reads (the scan still understands the code)', () => {
    expect(namesReadByCode()).toEqual(
      expect.arrayContaining([
        'EVENTHUB_NAME',
        'TASK_HUB_NAME',
        'EventHubConnection',
        'ANALYSIS_SCHEDULE',
        'AzureWebJobsStorage__accountName',
      ]),
    );
    // ALERT_MIN_SEVERITY was found by the scan while analysis parsed it with raw(env, ...); it is read by loadSettings now.
    expect(LOADED_SETTING_NAMES).toEqual(expect.arrayContaining(['ALERT_MIN_SEVERITY', 'ANALYSIS_PERIOD_MINUTES']));
  });

  it('lists every setting the code reads', () => {
    const names = [...namesReadByCode(), ...LOADED_SETTING_NAMES, FAULTS_SETTING, 'AzureWebJobsStorage'];
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });

  it('lists every setting the Bicep sets for Streamfold', () => {
    const bicep = readFileSync(join(repoRoot, 'infra', 'modules', 'functionApp.bicep'), 'utf8');
    const block = /var streamfoldSettings = \{([^}]*)\}/.exec(bicep)?.[1] ?? '';
    const names = [...block.matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });

  it('gives the defaults the code uses', () => {
    const defaults = loadSettings({});
    for (const name of LOADED_SETTING_NAMES) {
      const value = documented.get(name)?.default;
      expect(`${name}=${value}`).not.toBe(`${name}=undefined`);
      expect([name, loadSettings({ [name]: value })]).toEqual([name, defaults]);
    }
    const analysis = (env: NodeJS.ProcessEnv) => {
      const s = loadSettings(env);
      return [s.alertMinSeverity, s.analysisPeriodMinutes, s.analysisSchedule];
    };
    const given = Object.fromEntries(
      ['ALERT_MIN_SEVERITY', 'ANALYSIS_PERIOD_MINUTES', 'ANALYSIS_SCHEDULE'].map((n) => [
        n,
        documented.get(n)?.default,
      ]),
    );
    expect(analysis(given)).toEqual(analysis({}));
  });
});
