/**
 * `convoy init [dir]`: writes a starter project (see `templates.ts`) into a new, empty or freshly
 * `npm install`ed folder. An existing package.json is completed, never overwritten: missing scripts
 * and dependencies are added, ranges already there (e.g. the Convoy packages just installed) are kept.
 * Any other starter file that already exists stops init before anything is written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { cliPackageInfo } from '../package-info.ts';
import { starterFiles, starterManifest } from './templates.ts';

/** What `convoy init` wrote. */
export interface ScaffoldResult {
  readonly dir: string;
  /** Files written, package.json included (created or completed). */
  readonly files: readonly string[];
  /** Whether an existing package.json was completed rather than created. */
  readonly mergedPackageJson: boolean;
}

/** npm package names are lower case, URL-safe; derive one from the folder name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'convoy-app';
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `existing` completed with the starter's fields; what it already says wins. */
function completeManifest(existing: Json, starter: Json, file: string): Json {
  if (existing['type'] === 'commonjs') {
    throw new Error(
      `convoy init: ${file} says "type": "commonjs"; the starter is ES modules. ` +
        'Set "type": "module" (or remove the field) and run convoy init again, or init a new folder.',
    );
  }
  const merged: Json = { ...starter, ...existing, type: 'module' };
  for (const field of ['scripts', 'dependencies', 'devDependencies', 'engines']) {
    const mine = existing[field];
    const theirs = starter[field];
    if (mine !== undefined && !isRecord(mine))
      throw new Error(`convoy init: ${file} has a malformed "${field}"`);
    merged[field] = { ...(isRecord(theirs) ? theirs : {}), ...(mine ?? {}) };
  }
  return merged;
}

/**
 * Write the starter into `dir` (created when missing).
 *
 * @throws Error when one of the starter's files other than package.json already exists there, or the
 *   existing package.json cannot take an ES module project (nothing is written then).
 */
export function scaffoldProject(dir: string): ScaffoldResult {
  const target = resolve(dir);
  const info = cliPackageInfo();
  const files = starterFiles();
  const clashes = [...files.keys()].filter((file) => existsSync(join(target, file)));
  if (clashes.length > 0) {
    throw new Error(`convoy init: ${target} already has ${clashes.join(', ')}; choose an empty folder`);
  }
  const manifestPath = join(target, 'package.json');
  const starter = starterManifest(packageName(target), { convoy: info.version, xstate: info.xstate });
  const existing = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown)
    : undefined;
  if (existing !== undefined && !isRecord(existing))
    throw new Error(`convoy init: ${manifestPath} is not an object`);
  const manifest = existing ? completeManifest(existing, { ...starter }, manifestPath) : starter;

  mkdirSync(target, { recursive: true });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [file, text] of files) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir: target, files: ['package.json', ...files.keys()], mergedPackageJson: existing !== undefined };
}
