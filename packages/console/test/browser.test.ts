/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate/$eval run in the browser and use its DOM types.
/**
 * The console end to end in headless Chromium: a real Fastify server on a real port, the HTTP API and the
 * console over the real engine, and a real browser that must see the right states highlighted and follow
 * a POSTed event live.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConvoyEngine } from '@convoy/runtime';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { browserIt, startBrowserRig, stopBrowserRig } from './support/browser-rig.ts';
import type { BrowserRig } from './support/browser-rig.ts';
import { sendAndWait } from './support/shop.ts';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const docsScreenshot = fileURLToPath(new URL('../../../docs/console.png', import.meta.url));

let rig: BrowserRig | undefined;
let engine: ConvoyEngine;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  rig = await startBrowserRig();
  if (rig !== undefined) ({ engine, base, browser } = rig);
});

afterAll(() => stopBrowserRig(rig));

/** A fresh page that records every request and every script error. */
async function openPage(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, requests, errors };
}

/** Ids of the diagram elements the page highlights, sorted. */
const highlighted = (page: Page): Promise<string[]> =>
  page.$$eval('svg.diagram-svg .active', (elements) => elements.map((e) => e.id).sort());

const postEvent = async (id: string, event: object): Promise<void> => {
  const response = await fetch(`${base}/convoys/order/${id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(202);
};

describe('console in headless Chromium', () => {
  browserIt('highlights exactly the current nested state and follows a POSTed event live', async () => {
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 42 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'AddressChanged', address: 'Elm St 5' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'ConfirmDelivery' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Note', text: 'fragile' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Refund' });

    const { page, requests, errors } = await openPage();
    await page.goto(`${base}/console/convoys/order/o-1`);
    await page.waitForSelector('svg.diagram-svg g.node.active');
    expect(await highlighted(page)).toEqual(['order.Shipping', 'order.Shipping.Packing']);

    // The highlight is visible, not just a class: the active node is filled with the accent colour.
    const fill = (id: string): Promise<string> =>
      page.$eval(`[id="${id}"] path, [id="${id}"] polygon`, (el) => getComputedStyle(el).fill);
    expect(await fill('order.Shipping.Packing')).toBe('rgb(79, 70, 229)');
    expect(await fill('order.Shipping.InTransit')).not.toBe('rgb(79, 70, 229)');

    // Timeline: newest first, one row per event, each outcome styled differently.
    const outcomes = await page.$$eval('tr.timeline-row', (rows) =>
      rows.map((r) => r.getAttribute('data-outcome')),
    );
    expect(outcomes).toEqual(['deadLettered', 'ignored', 'deferred', 'rejected', 'applied']);
    const badgeColours = await page.$$eval('tr.timeline-row .badge', (badges) =>
      badges.map((b) => getComputedStyle(b).backgroundColor),
    );
    expect(new Set(badgeColours).size).toBe(5);
    expect(await page.textContent('[data-testid="deferred"]')).toBe('1');
    expect(await page.textContent('[data-testid="state"]')).toBe('Shipping.Packing');
    expect(await page.textContent('[data-testid="context"]')).toContain('"paid": 42');

    await page.waitForSelector('.live[data-state="live"]');
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await postEvent('o-1', { type: 'Packed' });

    await page.waitForFunction(
      () =>
        document
          .querySelector('svg.diagram-svg [id="order.Shipping.InTransit"]')
          ?.classList.contains('active'),
      undefined,
      { timeout: 5000 },
    );
    expect(await highlighted(page)).toEqual(['order.Shipping', 'order.Shipping.InTransit']);
    expect(await page.$$eval('tr.timeline-row', (rows) => rows.length)).toBe(6);
    expect(await page.getAttribute('tr.timeline-row:first-child', 'data-seq')).toBe('6');
    expect(await page.textContent('[data-testid="state"]')).toBe('Shipping.InTransit');
    expect(await page.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).toBe(true);

    mkdirSync(artifacts, { recursive: true });
    // The context asks for reduced motion: no row flash or fill transition, so this is the steady page.
    await page.screenshot({ path: `${artifacts}convoy-page.png`, fullPage: true });
    if (process.env['CONVOY_UPDATE_DOCS_SCREENSHOT'] === '1')
      copyFileSync(`${artifacts}convoy-page.png`, docsScreenshot);

    // Everything the page loaded came from this server.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(`${base}/`))).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  browserIt('highlights every region of a parallel state', async () => {
    await engine.accept({ type: 'review', id: 'r-1', event: { type: 'LegalOk' } });
    await engine.waitForSeq({ type: 'review', id: 'r-1' }, 1, 5000);
    const { page, errors } = await openPage();
    await page.goto(`${base}/console/convoys/review/r-1`);
    await page.waitForSelector('svg.diagram-svg g.node.active');
    expect(await highlighted(page)).toEqual([
      'review.Reviewing',
      'review.Reviewing.Finance',
      'review.Reviewing.Finance.Pending',
      'review.Reviewing.Legal',
      'review.Reviewing.Legal.Approved',
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  browserIt('lists the types with their diagrams and opens a convoy from the lookup form', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${base}/console`);
    await page.waitForSelector('.type-card');
    expect(await page.$$eval('.type-card h2', (h) => h.map((e) => e.firstChild?.textContent))).toEqual([
      'order',
      'review',
    ]);
    // Each type's diagram is drawn inline from GET /convoy-types/:type/diagram.svg.
    await page.waitForFunction(
      () => document.querySelectorAll('.type-card svg.diagram-svg g.node').length > 4,
    );
    await page.selectOption('form.lookup select', 'order');
    await page.fill('form.lookup input', 'o-1');
    await Promise.all([
      page.waitForURL(`${base}/console/convoys/order/o-1`),
      page.click('form.lookup button'),
    ]);
    await page.waitForSelector('svg.diagram-svg g.node.active');
    expect(await page.textContent('h1')).toBe('o-1');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
