/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate/$eval/waitForFunction run in the browser and use its DOM types.
/**
 * The console's operator views end to end in headless Chromium over the real engine: a dead letter is
 * listed and redriven from the page, pause holds a POSTed event in the inbox until Resume applies it live,
 * and the type page lists its convoys filtered by status.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConvoyEngine } from '@convoy/runtime';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { browserIt, startBrowserRig, stopBrowserRig } from './support/browser-rig.ts';
import type { BrowserRig } from './support/browser-rig.ts';
import { sendAndWait } from './support/shop.ts';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

let rig: BrowserRig | undefined;
let engine: ConvoyEngine;
let base: string;
let browser: Browser | undefined;

/** The operator's token: the API guards its operator routes, and the page acts with this token. */
const operatorToken = 'operator-secret';

beforeAll(async () => {
  // Reads and writes stay open; operator actions need a token named "console" (recorded as `by`).
  rig = await startBrowserRig({ operate: { tokens: [{ name: 'console', token: operatorToken }] } });
  if (rig !== undefined) ({ engine, base, browser } = rig);
});

afterAll(() => stopBrowserRig(rig));

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext({
    viewport: { width: 1360, height: 1000 },
    reducedMotion: 'reduce',
  });
  // As if the operator had entered the token in the page's sign-in form (kept in sessionStorage).
  await context.addInitScript(
    (token) => sessionStorage.setItem('convoy-console.token', token),
    operatorToken,
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}

/** Seqs listed in one of the convoy page's panels. */
const panelSeqs = (page: Page, testid: string): Promise<string[]> =>
  page.$$eval(`[data-testid="${testid}"] tbody tr`, (rows) =>
    rows.map((r) => r.getAttribute('data-seq') ?? ''),
  );

describe('console operator views in headless Chromium', () => {
  browserIt(
    'redrives a dead letter from the page, then pause holds a POSTed event until Resume applies it live',
    async () => {
      // #1 applied (Shipping.Packing), #2 Refund dead-lettered, #3 Cancel applied (Cancelled).
      await sendAndWait(engine, 'order', 'd-1', { type: 'PaymentReceived', amount: 9 });
      await sendAndWait(engine, 'order', 'd-1', { type: 'Refund' });
      await sendAndWait(engine, 'order', 'd-1', { type: 'Cancel' });

      const { page, errors } = await openPage();
      await page.goto(`${base}/console/convoys/order/d-1`);
      await page.waitForSelector('[data-testid="dead-letters"] tbody tr[data-seq="2"]');
      expect(await page.textContent('[data-testid="dead-letters"] tbody tr')).toContain('Refund');
      expect(await page.isVisible('button[data-action="pause"]')).toBe(true);
      expect(await page.isVisible('button[data-action="resume"]')).toBe(false);

      await page.click('[data-testid="dead-letters"] button[data-action="redrive"]');
      // The dead letter is gone, the timeline shows the operator's redrive and the event's new outcome.
      await page.waitForFunction(
        () => document.querySelector('[data-testid="dead-letters"] tbody tr') === null,
      );
      await page.waitForSelector('tr.timeline-row[data-seq="4"][data-outcome="applied"]', { timeout: 5000 });
      expect(await page.textContent('tr.timeline-row[data-outcome="operator"] .operator-note')).toBe(
        'redrive → #4 by console',
      );
      await page.waitForFunction(
        () => document.querySelector('[data-testid="status"]')?.textContent === 'done',
      );
      expect(await page.textContent('[data-testid="state"]')).toBe('Refunded');
      // A done convoy offers no action.
      expect(
        await page.$$eval('.actions button', (b) => b.filter((e) => !e.hasAttribute('hidden')).length),
      ).toBe(0);
      await page.context().close();

      // Pause → the POSTed event waits in the inbox → Resume applies it, live.
      await sendAndWait(engine, 'order', 'p-1', { type: 'PaymentReceived', amount: 3 });
      const second = await openPage();
      await second.page.goto(`${base}/console/convoys/order/p-1`);
      await second.page.waitForSelector('.live[data-state="live"]');
      await second.page.click('button[data-action="pause"]');
      await second.page.waitForFunction(
        () => document.querySelector('[data-testid="status"]')?.textContent === 'paused',
      );
      expect(await second.page.isVisible('button[data-action="resume"]')).toBe(true);
      expect(await second.page.isVisible('button[data-action="pause"]')).toBe(false);

      const response = await fetch(`${base}/convoys/order/p-1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'Packed' }),
      });
      expect(response.status).toBe(202);
      await second.page.waitForSelector('[data-testid="inbox"] tbody tr[data-seq="2"]', { timeout: 5000 });
      // It stays there while paused.
      await second.page.waitForTimeout(600);
      expect(await panelSeqs(second.page, 'inbox')).toEqual(['2']);
      expect(await second.page.textContent('[data-testid="state"]')).toBe('Shipping.Packing');
      mkdirSync(artifacts, { recursive: true });
      await second.page.screenshot({ path: `${artifacts}convoy-paused.png`, fullPage: true });

      await second.page.click('button[data-action="resume"]');
      await second.page.waitForSelector('tr.timeline-row[data-seq="2"][data-outcome="applied"]', {
        timeout: 5000,
      });
      await second.page.waitForFunction(
        () => document.querySelector('[data-testid="inbox"] tbody tr') === null,
      );
      expect(await second.page.textContent('[data-testid="status"]')).toBe('active');
      expect(await second.page.textContent('[data-testid="state"]')).toBe('Shipping.InTransit');
      expect(
        await second.page.$$eval('tr.timeline-row[data-outcome="operator"] .operator-note', (n) =>
          n.map((e) => e.getAttribute('data-action')),
        ),
      ).toEqual(['resume', 'pause']);
      await second.page.screenshot({ path: `${artifacts}convoy-operator.png`, fullPage: true });
      expect([...errors, ...second.errors]).toEqual([]);
      await second.page.context().close();
    },
  );

  browserIt('lists the convoys of a type filtered by status', async () => {
    await sendAndWait(engine, 'order', 'l-1', { type: 'Cancel' });
    await sendAndWait(engine, 'order', 'l-1', { type: 'Refund' });
    await sendAndWait(engine, 'order', 'l-2', { type: 'PaymentReceived', amount: 1 });
    const { page, errors } = await openPage();
    await page.goto(`${base}/console/types/order`);
    const listed = (): Promise<Array<string | null>> =>
      page.$$eval('[data-testid="convoy-list"] tbody tr', (rows) =>
        rows.map((r) => r.getAttribute('data-id')),
      );
    const badges = (): Promise<Array<string | null>> =>
      page.$$eval('[data-testid="convoy-list"] tbody .badge', (b) => [
        ...new Set(b.map((e) => e.textContent)),
      ]);
    await page.waitForSelector('[data-testid="convoy-list"] tbody tr[data-id="l-2"]');
    expect(await listed()).toEqual(expect.arrayContaining(['l-1', 'l-2']));

    await page.selectOption('[data-testid="filter-status"]', 'done');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="convoy-list"] tbody tr[data-id="l-2"]') === null,
    );
    expect(await listed()).toContain('l-1');
    expect(await badges()).toEqual(['done']);

    await page.selectOption('[data-testid="filter-status"]', 'active');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="convoy-list"] tbody tr[data-id="l-1"]') === null,
    );
    expect(await listed()).toContain('l-2');
    expect(await badges()).toEqual(['active']);
    await page.screenshot({ path: `${artifacts}type-page.png`, fullPage: true });

    await page.selectOption('[data-testid="filter-status"]', 'done');
    await page.waitForSelector('[data-testid="convoy-list"] tbody tr[data-id="l-1"]');
    await page.click(`[data-testid="convoy-list"] a[href$="/convoys/order/l-1"]`);
    await page.waitForSelector('svg.diagram-svg g.node.active');
    expect(await page.textContent('h1')).toBe('l-1');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
