import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readHostJson } from './readHostJson';
import { readLocalSettings } from './readLocalSettings';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lh-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('readLocalSettings', () => {
  it('is empty when the file is absent', () => {
    expect(readLocalSettings(dirWith({}))).toEqual({ values: {}, connectionStrings: {} });
  });

  it('reads Values and ConnectionStrings, stringifying scalars', () => {
    const dir = dirWith({
      'local.settings.json': JSON.stringify({ Values: { A: 'x', N: 3, B: true }, ConnectionStrings: { Db: 'cs' } }),
    });
    expect(readLocalSettings(dir)).toEqual({ values: { A: 'x', N: '3', B: 'true' }, connectionStrings: { Db: 'cs' } });
  });

  it('rejects bad JSON and non-string values with the file name', () => {
    expect(() => readLocalSettings(dirWith({ 'local.settings.json': '{' }))).toThrow(
      /local\.settings\.json is not valid JSON/,
    );
    expect(() => readLocalSettings(dirWith({ 'local.settings.json': '{"Values":{"A":{}}}' }))).toThrow(
      /Values\.A must be a string, found object/,
    );
  });
});

describe('readHostJson', () => {
  it('returns {} when absent and the object when present', () => {
    expect(readHostJson(dirWith({}))).toEqual({});
    expect(readHostJson(dirWith({ 'host.json': '{"version":"2.0","extensions":{}}' }))).toEqual({
      version: '2.0',
      extensions: {},
    });
  });

  it('rejects another version', () => {
    expect(() => readHostJson(dirWith({ 'host.json': '{"version":"1.0"}' }))).toThrow(/expected "version": "2.0"/);
  });
});
