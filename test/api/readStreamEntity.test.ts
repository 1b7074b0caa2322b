import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { initialStreamState, migrateStreamState, streamView } from '../../src/core';
import { HttpError } from '../../src/functions/api/errors';
import { viewOfStoredState } from '../../src/functions/api/readStreamEntity';
import { repoRoot } from '../support/repoRoot';

const v1 = JSON.parse(readFileSync(join(repoRoot, 'src/core/state/fixtures/streamState.v1.json'), 'utf8')) as unknown;

describe('viewOfStoredState (GET /api/streams/{pipeline}/{stream})', () => {
  it('migrates a state saved by the version-1 code before viewing it, as the entity would', () => {
    const migrated = migrateStreamState(v1);
    if (!migrated.ok) throw new Error(migrated.error);
    const view = viewOfStoredState(v1);
    expect(view).toEqual(streamView(migrated.state));
    expect(view.events).toBeGreaterThan(0);
    expect(view.maxEventTime).not.toBeUndefined();
  });

  it('answers a 500 problem naming the version for a state saved by newer code, instead of misreading it', () => {
    const newer = { ...initialStreamState(), version: 99 };
    expect(() => viewOfStoredState(newer)).toThrow(HttpError);
    expect(() => viewOfStoredState(newer)).toThrow(/expected version 1 to \d+, found 99/);
    try {
      viewOfStoredState(newer);
    } catch (e) {
      expect((e as HttpError).status).toBe(500);
    }
  });
});
