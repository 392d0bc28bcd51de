import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineConvoy, isConvoyError } from '@convoy/core';
import { createMachine } from 'xstate';
import type * as Xstate from 'xstate';
import { afterAll, describe, expect, test } from 'vitest';
import { createConvoyEngine } from '../src/engine.ts';
import { MemoryTurnScheduler } from '../src/memory/memory-scheduler.ts';
import { MemoryConvoyStore } from '../src/memory/memory-store.ts';
import { assertSupportedXstate, resolvedXstateVersion } from '../src/xstate-version.ts';

// A real second copy of xstate, as a project gets when two packages each install their own.
const copyRoot = mkdtempSync(join(tmpdir(), 'convoy-xstate-copy-'));
afterAll(() => rmSync(copyRoot, { recursive: true, force: true }));

async function machineFromSecondCopy(): Promise<unknown> {
  const xstateDir = dirname(createRequire(import.meta.url).resolve('xstate/package.json'));
  const copy = join(copyRoot, 'node_modules', 'xstate');
  cpSync(xstateDir, copy, { recursive: true, dereference: true });
  const second = (await import(pathToFileURL(join(copy, 'dist', 'xstate.esm.js')).href)) as typeof Xstate;
  return second.createMachine({ id: 'copy', initial: 'a', states: { a: { on: { Go: 'b' } }, b: {} } });
}

const errorCode = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return isConvoyError(error) ? error.code : `not a ConvoyError: ${String(error)}`;
  }
  return undefined;
};

describe('xstate is a peer: one copy, a supported version', () => {
  test('a machine built by a second copy of xstate is refused when the convoy is defined', async () => {
    const foreign = (await machineFromSecondCopy()) as ReturnType<typeof createMachine>;
    let message = '';
    try {
      defineConvoy({ type: 'copy', machine: foreign });
    } catch (error) {
      expect(isConvoyError(error) && error.code).toBe('xstate_unsupported');
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toMatch(/another copy of xstate/);
  });

  test('a machine of the peer copy is accepted and the engine starts', async () => {
    const definition = defineConvoy({
      type: 'ok',
      machine: createMachine({ id: 'ok', initial: 'a', states: { a: {} } }),
    });
    const engine = createConvoyEngine({
      definitions: [definition],
      store: new MemoryConvoyStore(),
      scheduler: new MemoryTurnScheduler(),
    });
    await engine.close();
  });

  test('an xstate outside ^5.33 is refused at engine start, with the version found', () => {
    expect(resolvedXstateVersion()).toMatch(/^5\./);
    expect(errorCode(() => assertSupportedXstate([], resolvedXstateVersion()))).toBeUndefined();
    expect(errorCode(() => assertSupportedXstate([], '4.38.3'))).toBe('xstate_unsupported');
    expect(errorCode(() => assertSupportedXstate([], '5.20.0'))).toBe('xstate_unsupported');
    expect(errorCode(() => assertSupportedXstate([], '6.0.0-alpha.1'))).toBe('xstate_unsupported');
  });
});
