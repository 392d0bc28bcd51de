#!/usr/bin/env node
// Builds one workspace package into `dist` (run from the package directory by its `build` script):
//   node ../../scripts/build-package.mjs [--asset <dir under src>]...
// 1. empties `dist`, so a file deleted from `src` cannot linger in a tarball;
// 2. compiles `src` with `tsc -p tsconfig.build.json` (ESM `.js` + `.d.ts`, same layout as `src`, so
//    `new URL('./x', import.meta.url)` finds the same neighbours in `dist` as in `src`);
// 3. rewrites relative `.ts` specifiers left in the `.d.ts` files to `.js` (tsc's
//    `rewriteRelativeImportExtensions` rewrites the JavaScript only), so users' type checkers resolve
//    the declarations exactly as Node resolves the code;
// 4. copies each `--asset` directory (files read at run time: Lua scripts, the console's browser files)
//    from `src/<dir>` to `dist/<dir>`.
// A package may run more steps after this one in its own `build` script (e.g. bundling a page).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { asset: { type: 'string', multiple: true, default: [] } } });
const root = process.cwd();
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { stdio: 'inherit' });

const relativeTs = /(\bfrom\s+|\bimport\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g;
for (const entry of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = join(dist, entry);
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(relativeTs, (_, lead, quote, path) => `${lead}${quote}${path}.js${quote}`);
  if (rewritten !== text) writeFileSync(file, rewritten);
}

for (const dir of values.asset) {
  const from = join(root, 'src', dir);
  if (!existsSync(from)) throw new Error(`build-package: asset directory src/${dir} does not exist`);
  cpSync(from, join(dist, dir), { recursive: true, filter: (path) => !/\.(test\.)?ts$/.test(path) });
}
