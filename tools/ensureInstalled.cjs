#!/usr/bin/env node
// Runs before `npm run local` and `npm test` (npm's pre-scripts) so the quick start is two commands after a clone:
// installs exactly the locked dependencies when node_modules is missing or older than package-lock.json.
// Plain JavaScript on purpose: it must run before anything (TypeScript included) is installed.
'use strict';
const { execSync } = require('node:child_process');
const { lstatSync, statSync } = require('node:fs');
const { join } = require('node:path');

const mtimeIn = (root, file) => {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return undefined;
  }
};

/**
 * What to do for the checkout at `root`: 'install', 'up-to-date', or 'shared' when node_modules is a symbolic link
 * (an install shared by several checkouts or worktrees). `npm ci` empties the folder a link points to before it
 * replaces the link, so running it there would wipe every other checkout's dependencies: never install through a link.
 */
function decide(root) {
  let linked = false;
  try {
    linked = lstatSync(join(root, 'node_modules')).isSymbolicLink();
  } catch {
    // missing: install below
  }
  const installed = mtimeIn(root, 'node_modules/.package-lock.json');
  const locked = mtimeIn(root, 'package-lock.json');
  const stale = installed === undefined || (locked !== undefined && locked > installed);
  if (!stale) return 'up-to-date';
  return linked ? 'shared' : 'install';
}

function main(root) {
  const action = decide(root);
  if (action === 'install') {
    process.stdout.write('Installing the locked dependencies (npm ci)...\n');
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  } else if (action === 'shared') {
    process.stdout.write(
      'node_modules is a symbolic link (a shared install) and looks older than package-lock.json; not running npm ci, ' +
        'which would empty the shared folder. Update it where it lives if the locked dependencies changed.\n',
    );
  }
}

module.exports = { decide };

if (require.main === module) main(join(__dirname, '..'));
