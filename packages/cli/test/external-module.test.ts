/**
 * `convoy serve` with a module that lives outside this workspace: a fresh temporary folder with no
 * package.json and no node_modules. It must still import `xstate` and `@convoy/core` (from the CLI's
 * installation) and load as an ES module. Regression: it used to fail with "Cannot require() ES Module
 * ... in a cycle".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvent, spawnConvoy, waitForUrl, waitProcessed } from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';

const moduleSource = `
import { assign, setup } from 'xstate';
import { defineConvoy } from '@convoy/core';

const machine = setup({
  types: { context: {} as { opened: number }, events: {} as { type: 'Open' } | { type: 'Close' } },
}).createMachine({
  id: 'gate',
  initial: 'Shut',
  context: { opened: 0 },
  states: {
    Shut: { on: { Open: { target: 'Open', actions: assign({ opened: ({ context }) => context.opened + 1 }) } } },
    Open: { on: { Close: 'Shut' } },
  },
});

export const gate = defineConvoy({ type: 'gate', machine });
`;

describe('convoy serve <module outside the workspace>', () => {
  let folder: string;
  let server: ConvoyProcess;
  let url: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'convoy-external-'));
    writeFileSync(join(folder, 'gate.ts'), moduleSource);
    server = spawnConvoy(['serve', join(folder, 'gate.ts'), '--port', '0']);
    url = await waitForUrl(server);
  }, 40_000);

  afterAll(() => {
    server.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  it('loads the module and serves its convoy', async () => {
    expect(server.stdout()).toContain('gate v1  events: Open, Close');
    expect((await postEvent(url, '/convoys/gate/g-1/events', { type: 'Open' })).status).toBe(202);
    expect((await postEvent(url, '/convoys/gate/g-1/events', { type: 'Close' })).status).toBe(202);
    const convoy = await waitProcessed(url, '/convoys/gate/g-1', 2);
    expect(convoy.body).toMatchObject({ status: 'active', value: 'Shut', context: { opened: 1 }, seq: 2 });
  });
});
