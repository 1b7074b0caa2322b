import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { functionKeySetting, loadKeys, masterKeySetting } from './loadKeys';

describe('loadKeys', () => {
  it('generates a keys file once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-keys-'));
    const first = loadKeys(dir, {});
    expect(first.generated).toBe(true);
    expect(first.masterKey).not.toBe(first.functionKey);
    expect(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'))).toEqual({
      masterKey: first.masterKey,
      functionKey: first.functionKey,
    });
    const second = loadKeys(dir, {});
    expect(second).toEqual({ ...first, generated: false });
  });

  it('prefers keys from settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-keys-'));
    expect(loadKeys(dir, { [masterKeySetting]: 'm', [functionKeySetting]: 'f' })).toEqual({
      masterKey: 'm',
      functionKey: 'f',
      generated: false,
    });
    expect(loadKeys(dir, { [masterKeySetting]: 'm' })).toMatchObject({ masterKey: 'm', generated: true });
  });

  it('rejects a damaged keys file with what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-keys-'));
    writeFileSync(join(dir, 'keys.json'), '{"masterKey": 1}');
    expect(() => loadKeys(dir, {})).toThrow(/must hold \{"masterKey": "...", "functionKey": "..."\}. Delete it/);
  });

  it('refuses an empty key from settings or the file, so a bare ?code= can never match', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-keys-'));
    expect(() => loadKeys(dir, { [masterKeySetting]: '' })).toThrow(/Setting LOCAL_HOST_MASTER_KEY is empty/);
    expect(() => loadKeys(dir, { [masterKeySetting]: 'm', [functionKeySetting]: '  ' })).toThrow(
      /Setting LOCAL_HOST_FUNCTION_KEY is empty/,
    );
    writeFileSync(join(dir, 'keys.json'), '{"masterKey": "", "functionKey": "f"}');
    expect(() => loadKeys(dir, {})).toThrow(/holds an empty key/);
  });
});
