/**
 * The install test (`pnpm test:install`, part of `pnpm test`): pack every public package, install the
 * tarballs with npm into a new project outside the workspace (no workspace links, no path mapping),
 * and use them the way a new user does. Prints one summary line, or the failing step with its
 * evidence and exit code 1.
 *
 * `CONVOY_INSTALL_SABOTAGE=<package>:<path>` removes `<path>` (a prefix inside the package, e.g.
 * `runtime:dist/redis/lua`) from that package's tarball before anything uses it: the negative control
 * showing the test notices a package that lost an asset. `CONVOY_INSTALL_KEEP=1` keeps the temp folder.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConsole,
  checkDiagram,
  checkInit,
  checkNode,
  checkRedis,
  checkServe,
  checkTsc,
} from './checks.ts';
import { attwAll, buildAndPack, publintAll, publishDryRun } from './pack.ts';
import type { Tarball } from './pack.ts';
import { killAll, runOk } from './processes.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'convoy-install-'));
const project = join(work, 'project');
const startedAt = Date.now();
const summary: string[] = [];
const timings: string[] = [];

async function step(name: string, action: () => Promise<void>): Promise<void> {
  const stepStart = Date.now();
  try {
    await action();
  } catch (error) {
    throw new Error(
      `install: ${name} FAILED${summary.length ? ` (after ${summary.join(', ')})` : ''}\n${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  summary.push(`${name} ok`);
  timings.push(`${name} ${Math.round((Date.now() - stepStart) / 1000)}s`);
}

/** Repack `tarball` without the entries under `prefix` (the negative control). */
async function sabotage(tarballs: readonly Tarball[], spec: string): Promise<void> {
  const [pkg, prefix] = spec.split(':');
  const tarball = tarballs.find((t) => t.name === `@convoy/${pkg}`);
  if (!tarball || !prefix) throw new Error(`CONVOY_INSTALL_SABOTAGE=${spec}: expected <package>:<path>`);
  const unpacked = join(work, 'sabotage');
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  await runOk('tar', ['xzf', tarball.path, '-C', unpacked], work);
  rmSync(join(unpacked, 'package', prefix), { recursive: true, force: true });
  await runOk('tar', ['czf', tarball.path, '-C', unpacked, 'package'], work);
  console.log(`install: SABOTAGE removed ${prefix} from ${tarball.name}`);
}

async function main(): Promise<void> {
  let tarballs: Tarball[] = [];
  await step('pack', async () => {
    tarballs = await buildAndPack(root, join(work, 'packs'));
    await publishDryRun(root);
  });
  summary[0] = `${tarballs.length} packages packed`;
  const sabotageSpec = process.env['CONVOY_INSTALL_SABOTAGE'];
  if (sabotageSpec) await sabotage(tarballs, sabotageSpec);
  await step('publint', () => publintAll(root, tarballs));
  await step('attw', () => attwAll(root, tarballs));

  await step('npm install', async () => {
    cpSync(fixtures, project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'convoy-install-test', private: true, type: 'module' }, null, 2)}\n`,
    );
    await runOk(
      'npm',
      [
        'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error',
        ...tarballs.map((t) => t.path),
        'xstate@^5.33.3', 'typescript@~5.9.3', '@types/node@^20.19.0',
      ], // prettier-ignore
      project,
      600_000,
    );
  });
  summary.pop(); // the install itself is not a user-facing check

  await step('node', () => checkNode(project));
  await step('tsc', () => checkTsc(project));
  let consoleError: Error | undefined;
  await step('serve', () =>
    checkServe(project, async (base) => {
      // Checked while the server runs, reported after it (the summary keeps the issue's order).
      await checkConsole(base).catch((error: unknown) => {
        consoleError = error instanceof Error ? error : new Error(String(error));
      });
    }),
  );
  const { version } = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as {
    version: string;
  };
  await step('diagram', () => checkDiagram(project, version));
  await step('redis', () => checkRedis(project));
  await step('console', async () => {
    if (consoleError) throw consoleError;
  });
  await step('init', () =>
    checkInit(
      work,
      tarballs.map((t) => t.path),
    ),
  );
}

try {
  await main();
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  console.log(`install: ${summary.join(', ')} (${seconds}s)`);
  console.log(`install: time per step: ${timings.join(', ')}`);
} catch (error) {
  killAll();
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  if (process.env['CONVOY_INSTALL_KEEP'] === '1') console.log(`install: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
