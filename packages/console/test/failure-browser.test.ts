/// <reference lib="dom" />
// The callbacks given to page.evaluate/$eval/waitForFunction run in the browser and use its DOM types.
/**
 * A failed effect on the convoy page, in headless Chromium over the real engine: the timeline has its
 * own failure row naming the effect, the error reads as thrown (not a wrapped payload), the page says the
 * convoy needs attention, and discarding the dead letter clears it live.
 */
import { defineConvoy } from '@convoy/core';
import { buildConvoyApp } from '@convoy/http';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { assign, setup } from 'xstate';
import { consolePlugin } from '../src/plugin.ts';
import { browserIt } from './support/browser-rig.ts';
import { findChromium, launchChromium } from './support/chromium.ts';
import { sendAndWait } from './support/shop.ts';

/** `Pack` runs the `label` effect, which always throws. */
const label = defineConvoy({
  type: 'label',
  machine: setup({
    types: { context: {} as { parcels: number }, events: {} as { type: 'Pack' } },
    actions: { label: () => undefined },
  }).createMachine({
    id: 'label',
    context: { parcels: 0 },
    on: { Pack: { actions: [assign({ parcels: ({ context }) => context.parcels + 1 }), 'label'] } },
  }),
  effects: {
    label: () => {
      throw new Error('printer out of paper: tray 2 empty');
    },
  },
});

let engine: ConvoyEngine | undefined;
let app: FastifyInstance | undefined;
let browser: Browser | undefined;
let base = '';

beforeAll(async () => {
  engine = createConvoyEngine({
    definitions: [label],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    effectRetry: { attempts: 1, baseDelayMs: 0, deadLetterAfterTurns: 1 },
  });
  await engine.start();
  app = buildConvoyApp({ gateway: engine });
  await app.register(consolePlugin);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium(findChromium()).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await engine?.close();
});

describe('a failed effect on the convoy page', () => {
  browserIt('shows a failure row, the plain error and an attention note that a discard clears', async () => {
    if (!engine || !browser) throw new Error('rig not started');
    await sendAndWait(engine, 'label', 'f-1', { type: 'Pack' });
    await expect
      .poll(async () => (await engine!.getConvoy({ type: 'label', id: 'f-1' }))?.attention)
      .toBeDefined();

    const context = await browser.newContext({
      viewport: { width: 1360, height: 1000 },
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/console/convoys/label/f-1`);
    const row = 'tr.timeline-row[data-outcome="effectFailed"][data-seq="1"]';
    await page.waitForSelector(row);
    expect(await page.textContent(`${row} .failure-note`)).toBe('effect label failed · dead-lettered');
    expect(await page.textContent(`${row} .error-text`)).toBe('printer out of paper: tray 2 empty');
    const note = await page.textContent('[data-testid="attention"]');
    expect(note).toContain('Needs attention: Effect label failed for good (planned by #1). 1 dead letter');
    expect(note).toContain('printer out of paper: tray 2 empty');
    expect(await page.textContent('[data-testid="dead-letters"] tbody tr .failure-note')).toBe(
      'effect label failed',
    );

    await page.click('[data-testid="dead-letters"] button[data-action="discard"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="attention"]') === null);
    await page.waitForSelector('tr.timeline-row[data-outcome="operator"]');
    expect(errors).toEqual([]);
    await context.close();
  });
});
