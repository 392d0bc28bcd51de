import { fileURLToPath } from 'node:url';
import { isConvoyError } from '@convoy/core';
import { describe, expect, it } from 'vitest';
import { collectDefinitions, loadDefinitions } from '../src/load-definitions.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function loadError(module: string): Promise<Error> {
  const error = await loadDefinitions(module, fixtures).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error(`expected ${module} to fail loading`);
  return error;
}

describe('loadDefinitions', () => {
  it('loads a default export that is one definition', async () => {
    const definitions = await loadDefinitions('default-single.ts', fixtures);
    expect(definitions.map((d) => d.type)).toEqual(['single']);
  });

  it('loads every definition of a default array, versions of one type included', async () => {
    const definitions = await loadDefinitions('default-array.ts', fixtures);
    expect(definitions.map((d) => `${d.type}@${d.version}`)).toEqual(['first@1', 'second@1', 'second@2']);
  });

  it('loads named exports, counts a definition exported twice once, and ignores other exports', async () => {
    const definitions = await loadDefinitions('./named.ts', fixtures);
    expect(definitions.map((d) => d.type).sort()).toEqual(['alpha', 'beta']);
  });

  it('resolves the module path against the given cwd (as the CLI does with process.cwd())', async () => {
    const definitions = await loadDefinitions(
      'test/fixtures/support-ticket.ts',
      fileURLToPath(new URL('..', import.meta.url)),
    );
    expect(definitions.map((d) => d.type)).toEqual(['support-ticket']);
  });

  it('loads a plain JavaScript module', async () => {
    const definitions = await loadDefinitions('plain-js.mjs', fixtures);
    expect(definitions.map((d) => `${d.type}: ${d.eventTypes.join(',')}`)).toEqual(['lamp: Toggle']);
  });

  it('refuses a module without any convoy definition, saying how to export one', async () => {
    const error = await loadError('none.ts');
    expect(isConvoyError(error) && error.code).toBe('definition_invalid');
    expect(error.message).toMatch(/none\.ts exports no convoy definition/);
    expect(error.message).toMatch(/defineConvoy/);
  });

  it('refuses two different definitions with the same type and version', async () => {
    const error = await loadError('duplicate.ts');
    expect(error.message).toMatch(/two different definitions of convoy type "twin" version 1/);
  });

  it('refuses a default array holding something that is not a definition', async () => {
    const error = await loadError('bad-array.ts');
    expect(error.message).toMatch(/default export \[1\] is not a convoy definition/);
  });

  it('names a missing module by its absolute path', async () => {
    const error = await loadError('missing.ts');
    expect(error.message).toContain(`Convoy module not found: ${fixtures}missing.ts`);
  });

  it('reports an error thrown while the module loads, with its cause', async () => {
    const error = await loadError('throws.ts');
    expect(error.message).toMatch(/Could not load convoy module throws\.ts: boom while loading/);
  });
});

describe('collectDefinitions', () => {
  it('ignores a namespace whose default is not a definition but finds named ones', async () => {
    const { alpha } = await import('./fixtures/named.ts');
    expect(collectDefinitions({ default: 'text', alpha }, 'inline')).toEqual([alpha]);
  });
});
