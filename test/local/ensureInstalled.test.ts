/**
 * tools/ensureInstalled.cjs (npm's prelocal/pretest hook) decides whether to run `npm ci`. It must never run it
 * through a symlinked node_modules: `npm ci` empties the link's target before replacing the link, which wiped a
 * shared install used by other checkouts. Checked on real folders, files and links in a temp directory.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot } from '../support/repoRoot';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decide } = require(join(repoRoot, 'tools', 'ensureInstalled.cjs')) as { decide: (root: string) => string };

describe('ensureInstalled decide', () => {
  let dir: string;
  const old = new Date('2026-01-01T00:00:00Z');
  const newer = new Date('2026-01-02T00:00:00Z');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensure-installed-'));
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    utimesSync(join(dir, 'package-lock.json'), newer, newer);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A node_modules folder at `where` whose install marker has the given time. */
  const install = (where: string, at: Date): void => {
    mkdirSync(where, { recursive: true });
    writeFileSync(join(where, '.package-lock.json'), '{}');
    utimesSync(join(where, '.package-lock.json'), at, at);
  };

  it('installs when node_modules is missing', () => {
    expect(decide(dir)).toBe('install');
  });

  it('installs when a real node_modules is older than package-lock.json, and not when it is newer', () => {
    install(join(dir, 'node_modules'), old);
    expect(decide(dir)).toBe('install');
    install(join(dir, 'node_modules'), new Date('2026-01-03T00:00:00Z'));
    expect(decide(dir)).toBe('up-to-date');
  });

  it('never installs through a symlinked node_modules, even when it looks stale', () => {
    install(join(dir, 'shared'), old);
    symlinkSync(join(dir, 'shared'), join(dir, 'node_modules'), 'dir');
    expect(decide(dir)).toBe('shared');
  });

  it('treats a fresh symlinked install as up to date', () => {
    install(join(dir, 'shared'), new Date('2026-01-03T00:00:00Z'));
    symlinkSync(join(dir, 'shared'), join(dir, 'node_modules'), 'dir');
    expect(decide(dir)).toBe('up-to-date');
  });
});
