import { join } from 'node:path';

import { globSync } from 'glob';

import { readJsonFile } from '../config/readJsonFile';
import { appError } from '../errors';

export interface EntryFiles {
  /** Absolute paths in a stable (sorted) order. */
  files: string[];
  /** package.json "type" decides how .js files load. */
  isModule: boolean;
}

/** Files named by package.json `main` (a file or a glob, like the worker accepts), relative to the app folder. */
export function findEntryFiles(appDir: string): EntryFiles {
  const pkgFile = join(appDir, 'package.json');
  const pkg = readJsonFile(pkgFile);
  if (!pkg)
    throw appError(`No package.json in ${appDir}: a v4 Functions app names its entry files in package.json "main".`);
  const main = pkg.main;
  if (typeof main !== 'string' || main.trim() === '') {
    throw appError(`${pkgFile} has no "main": expected a file or glob such as "dist/src/functions/*.js".`);
  }
  const files = globSync(main, { cwd: appDir, nodir: true, absolute: true, ignore: ['**/node_modules/**'] }).sort();
  if (files.length === 0) {
    throw appError(`${pkgFile} "main" is "${main}" but no file matches it in ${appDir} (did you build the app?).`);
  }
  return { files, isModule: pkg.type === 'module' };
}
