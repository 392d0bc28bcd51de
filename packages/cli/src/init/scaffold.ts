/**
 * `convoy init [dir]`: writes a starter project (see `templates.ts`) into an empty or new folder.
 * Never overwrites: a folder that already holds any of the starter's files is refused.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { cliPackageInfo } from '../package-info.ts';
import { starterFiles } from './templates.ts';

/** What `convoy init` wrote. */
export interface ScaffoldResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/** npm package names are lower case, URL-safe; derive one from the folder name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'convoy-app';
}

/**
 * Write the starter into `dir` (created when missing).
 *
 * @throws Error when one of the starter's files already exists there (nothing is written then).
 */
export function scaffoldProject(dir: string): ScaffoldResult {
  const target = resolve(dir);
  const info = cliPackageInfo();
  const files = starterFiles(packageName(target), { convoy: info.version, xstate: info.xstate });
  const clashes = [...files.keys()].filter((file) => existsSync(join(target, file)));
  if (clashes.length > 0) {
    throw new Error(`convoy init: ${target} already has ${clashes.join(', ')}; choose an empty folder`);
  }
  for (const [file, text] of files) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir: target, files: [...files.keys()] };
}
