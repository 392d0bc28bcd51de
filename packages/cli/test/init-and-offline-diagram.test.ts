import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDefinition, isConvoyError, toDot } from '@convoy/core';
import { afterAll, describe, expect, test } from 'vitest';
import { scaffoldProject } from '../src/init/scaffold.ts';
import { diagramFromModule } from '../src/offline-diagram.ts';
import { cliPackageInfo } from '../src/package-info.ts';
import { beta } from './fixtures/named.ts';

const root = mkdtempSync(join(tmpdir(), 'convoy-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixtures = new URL('./fixtures/', import.meta.url).pathname;

describe('convoy init', () => {
  test('writes the starter into a new folder, depending on this version of the packages', () => {
    const result = scaffoldProject(join(root, 'New App'));
    expect(result.files).toEqual([
      'package.json', 'tsconfig.json', '.gitignore', 'src/convoys.ts', 'test/convoys.test.ts', 'README.md',
    ]); // prettier-ignore
    const manifest = JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8')) as Record<
      string,
      never
    >;
    expect(manifest['name']).toBe('new-app');
    expect(manifest['type']).toBe('module');
    expect(manifest['dependencies']).toMatchObject({
      '@convoy/cli': `^${cliPackageInfo().version}`,
      xstate: '^5.33.3',
    });
  });

  test('completes the package.json npm install wrote, keeping the ranges already there', () => {
    const dir = join(root, 'installed');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ dependencies: { '@convoy/cli': 'file:cli.tgz' } }),
    );
    const result = scaffoldProject(dir);
    expect(result.mergedPackageJson).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(manifest['dependencies']?.['@convoy/cli']).toBe('file:cli.tgz');
    expect(manifest['dependencies']?.['@convoy/core']).toBe(`^${cliPackageInfo().version}`);
    expect(manifest['scripts']?.['test']).toBe('vitest run');
  });

  test('refuses a folder that already has a starter file, or a CommonJS package, writing nothing', () => {
    const dir = join(root, 'taken');
    scaffoldProject(dir);
    expect(() => scaffoldProject(dir)).toThrow(/already has tsconfig.json/);
    const cjs = join(root, 'cjs');
    mkdirSync(cjs);
    writeFileSync(join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(() => scaffoldProject(cjs)).toThrow(/"type": "commonjs"/);
    expect(existsSync(join(cjs, 'src', 'convoys.ts'))).toBe(false);
  });
});

describe('convoy diagram <module> <type> (offline)', () => {
  test('draws what the server draws, from the module alone', async () => {
    const description = describeDefinition(beta, [beta.version]);
    expect(await diagramFromModule('named.ts', 'beta', 'mermaid', fixtures)).toBe(description.mermaid);
    expect(await diagramFromModule('named.ts', 'beta', 'dot', fixtures)).toBe(toDot(description.graph));
    expect(await diagramFromModule('named.ts', 'beta', 'svg', fixtures)).toMatch(/^<\?xml[\s\S]*<svg/);
  });

  test('an unknown type names the types the module defines', async () => {
    const error: unknown = await diagramFromModule('named.ts', 'gamma', 'mermaid', fixtures).catch(
      (e: unknown) => e,
    );
    expect(isConvoyError(error) && error.code).toBe('unknown_convoy_type');
    expect(String(error)).toMatch(/defines: alpha, beta/);
  });
});
