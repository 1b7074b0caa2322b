#!/usr/bin/env node
// Runs before `npm run local` and `npm test` (npm's pre-scripts) so the quick start is two commands after a clone:
// installs exactly the locked dependencies when node_modules is missing or older than package-lock.json.
// Plain JavaScript on purpose: it must run before anything (TypeScript included) is installed.
'use strict';
const { execSync } = require('node:child_process');
const { statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const mtime = (file) => {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return undefined;
  }
};

const installed = mtime('node_modules/.package-lock.json');
const locked = mtime('package-lock.json');
if (installed === undefined || (locked !== undefined && locked > installed)) {
  process.stdout.write('Installing the locked dependencies (npm ci)...\n');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
