/**
 * Build and pack every public package as the registry would receive it (`pnpm pack` applies
 * `publishConfig` and replaces `workspace:` and `catalog:` ranges), and check each tarball with the
 * ecosystem's linters: publint (manifest, `exports`, `files`) and arethetypeswrong (types resolve for
 * `node16`/`nodenext` and bundler users; the packages are ESM only, hence the `esm-only` profile).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './processes.ts';

/** The public packages, dependencies first. */
export const publicPackages = ['core', 'runtime', 'http', 'console', 'client', 'cli'] as const;

/** A packed package. */
export interface Tarball {
  readonly name: string;
  readonly path: string;
}

type ExportTarget = string | { readonly types: string; readonly default: string };
interface Manifest {
  readonly name: string;
  readonly exports: Readonly<Record<string, ExportTarget>>;
  readonly publishConfig?: {
    readonly exports?: Readonly<Record<string, ExportTarget>>;
    readonly types?: string;
  };
}

const toDist = (path: string, extension: string): string =>
  path.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, extension);

/**
 * The workspace `exports` point at `src` (tests and tools run the sources); `publishConfig.exports`
 * must name the same subpaths in `dist`. A subpath added to one and not the other fails here.
 */
export function checkPublishedExports(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const expected: Record<string, ExportTarget> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    expected[subpath] =
      typeof target === 'string'
        ? target
        : { types: toDist(target.types, '.d.ts'), default: toDist(target.default, '.js') };
  }
  const published = manifest.publishConfig?.exports;
  if (JSON.stringify(published) !== JSON.stringify(expected)) {
    throw new Error(
      `${manifest.name}: publishConfig.exports must mirror exports in dist.\nexpected ${JSON.stringify(expected)}\nfound    ${JSON.stringify(published)}`,
    );
  }
}

/** Build every public package, then pack each into `dest`. */
export async function buildAndPack(root: string, dest: string): Promise<Tarball[]> {
  for (const name of publicPackages) checkPublishedExports(join(root, 'packages', name));
  await runOk(
    'pnpm',
    ['--filter', './packages/*', '--workspace-concurrency', '2', 'run', 'build'],
    root,
    600_000,
  );
  mkdirSync(dest, { recursive: true });
  const tarballs: Tarball[] = [];
  for (const name of publicPackages) {
    const before = new Set(readdirSync(dest));
    await runOk('pnpm', ['pack', '--pack-destination', dest], join(root, 'packages', name));
    const file = readdirSync(dest).find((entry) => !before.has(entry) && entry.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack wrote no tarball for @convoy/${name}`);
    tarballs.push({ name: `@convoy/${name}`, path: join(dest, file) });
  }
  return tarballs;
}

/**
 * `pnpm -r publish --dry-run` over the whole workspace names exactly the six public packages (the apps
 * are private) and fails on nothing.
 */
export async function publishDryRun(root: string): Promise<void> {
  const { stdout, stderr } = await runOk('pnpm', ['-r', 'publish', '--dry-run', '--no-git-checks'], root);
  const published = [...`${stdout}\n${stderr}`.matchAll(/📦 (@[\w-]+\/[\w-]+)@/g)].map((m) => m[1]).sort();
  const expected = publicPackages.map((name) => `@convoy/${name}`).sort();
  if (published.join() !== expected.join()) {
    throw new Error(
      `pnpm -r publish --dry-run would publish [${published.join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
}

/** publint on every tarball, warnings included (`--strict`). */
export async function publintAll(root: string, tarballs: readonly Tarball[]): Promise<void> {
  for (const tarball of tarballs) {
    await runOk(join(root, 'node_modules', '.bin', 'publint'), ['run', tarball.path, '--strict'], root);
  }
}

/** arethetypeswrong on every tarball. */
export async function attwAll(root: string, tarballs: readonly Tarball[]): Promise<void> {
  for (const tarball of tarballs) {
    await runOk(
      join(root, 'node_modules', '.bin', 'attw'),
      [tarball.path, '--profile', 'esm-only', '--format', 'ascii'],
      root,
    );
  }
}
