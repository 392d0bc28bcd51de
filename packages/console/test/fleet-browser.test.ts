/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate/$eval/waitForFunction run in the browser and use its DOM types.
/**
 * The console's first page in headless Chromium over the real engine: the fleet table shows, per type,
 * the status counts and dead-lettered convoys the API's indexes hold (every count a link to its list),
 * the type needing attention is marked, the type-wide dead-letter list redrives and discards in bulk
 * (confirmed, recorded in each convoy's history), a convoy is found by id across types, and a diagram
 * opens full size.
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
const docsScreenshot = fileURLToPath(new URL('../../../docs/console-fleet.png', import.meta.url));

let rig: BrowserRig | undefined;
let engine: ConvoyEngine;
let base: string;
let browser: Browser | undefined;
const operatorToken = 'fleet-operator';

beforeAll(async () => {
  rig = await startBrowserRig(
    { operate: { tokens: [{ name: 'console', token: operatorToken }] } },
    { metrics: true },
  );
  if (rig === undefined) return;
  ({ engine, base, browser } = rig);
  await sendAndWait(engine, 'order', 'o-ok', { type: 'PaymentReceived', amount: 5 });
  for (const id of ['o-dl1', 'o-dl2']) await sendAndWait(engine, 'order', id, { type: 'Refund' });
  await sendAndWait(engine, 'order', 'o-done', { type: 'Cancel' });
  await sendAndWait(engine, 'order', 'o-done', { type: 'Refund' });
  await sendAndWait(engine, 'review', 'r-1', { type: 'LegalOk' });
});

afterAll(() => stopBrowserRig(rig));

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  if (browser === undefined) throw new Error('no browser');
  const context = await browser.newContext({
    viewport: { width: 1360, height: 1000 },
    reducedMotion: 'reduce',
  });
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
  // Bulk actions ask first: the operator says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  return { page, errors };
}

const cell = (page: Page, type: string, status: string): Promise<string | null> =>
  page.textContent(`tr[data-type="${type}"] td[data-status="${status}"]`);

describe('the fleet page', () => {
  browserIt(
    'shows counts from the indexes and what needs attention, each count linking to its list',
    async () => {
      const { page, errors } = await openPage();
      await page.goto(`${base}/console`);
      await page.waitForSelector('[data-testid="fleet-table"] tr[data-type="order"]');
      expect((await cell(page, 'order', 'active'))?.trim()).toBe('3');
      expect((await cell(page, 'order', 'done'))?.trim()).toBe('1');
      expect((await cell(page, 'order', 'dead-letters'))?.trim()).toBe('2');
      expect((await cell(page, 'review', 'active'))?.trim()).toBe('1');
      expect((await page.textContent('tr[data-type="order"] td[data-rate="received"]'))?.trim()).toBe('5');
      expect(await page.getAttribute('tr[data-type="order"]', 'class')).toContain('attention');
      expect(await page.getAttribute('tr[data-type="review"]', 'class')).not.toContain('attention');
      expect(await page.textContent('[data-testid="fleet-attention"]')).toBe('1 of 2 types need attention');
      // Every time carries its date.
      expect(await page.textContent('[data-testid="fleet"] .time')).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/,
      );

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}fleet-page.png`, fullPage: true });
      if (process.env['CONVOY_UPDATE_DOCS_SCREENSHOT'] === '1')
        copyFileSync(`${artifacts}fleet-page.png`, docsScreenshot);

      await Promise.all([
        page.waitForURL(`${base}/console/types/order?status=done`),
        page.click('tr[data-type="order"] td[data-status="done"] a'),
      ]);
      await page.waitForSelector('[data-testid="convoy-list"] tr[data-id]');
      expect(
        await page.$$eval('[data-testid="convoy-list"] tr[data-id]', (rows) =>
          rows.map((r) => r.getAttribute('data-id')),
        ),
      ).toEqual(['o-done']);
      expect(await page.inputValue('[data-testid="filter-status"]')).toBe('done');
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );

  browserIt(
    'redrives and discards dead letters of a type in bulk, each recorded in its history',
    async () => {
      const { page, errors } = await openPage();
      await page.goto(`${base}/console`);
      await Promise.all([
        page.waitForURL(`${base}/console/dead-letters/order`),
        page.click('tr[data-type="order"] td[data-status="dead-letters"] a'),
      ]);
      await page.waitForSelector('[data-testid="dead-letter-list"] tbody tr');
      const listed = (): Promise<string[]> =>
        page.$$eval('[data-testid="dead-letter-list"]:not([hidden]) tbody tr', (rows) =>
          rows.map((r) => `${r.getAttribute('data-id')}#${r.getAttribute('data-seq')}`).sort(),
        );
      expect(await listed()).toEqual(['o-dl1#1', 'o-dl2#1']);
      expect(await page.textContent('[data-testid="dead-letter-list"] .time')).toMatch(/^\d{4}-\d{2}-\d{2} /);

      await page.check('input[aria-label="Select o-dl1 #1"]');
      await page.click('[data-action="bulk-redrive"]');
      await page.waitForSelector('[data-testid="bulk-outcome"]');
      expect(await page.textContent('[data-testid="bulk-outcome"]')).toBe('Redriven convoys: 1.');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="dead-letter-list"] tbody tr').length === 1,
      );
      expect(await listed()).toEqual(['o-dl2#1']);

      await page.check('[data-testid="select-all"]');
      await page.click('[data-action="bulk-discard"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="bulk-outcome"]')?.textContent === 'Discarded: 1.',
      );
      await page.waitForSelector('[data-testid="dead-letter-list"][hidden]', { state: 'attached' });

      const redriven = (await engine.getHistory({ type: 'order', id: 'o-dl1' })) ?? [];
      expect(redriven.find((h) => h.outcome === 'operator')?.operator).toMatchObject({
        action: 'redrive',
        by: 'console',
      });
      const discarded = (await engine.getHistory({ type: 'order', id: 'o-dl2' })) ?? [];
      expect(discarded.find((h) => h.outcome === 'operator')?.operator).toMatchObject({
        action: 'discard',
        by: 'console',
      });
      expect(await engine.countDeadLetterConvoys('order')).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );

  browserIt('finds a convoy by id across types, and opens a diagram full size', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${base}/console`);
    await page.waitForSelector('form.lookup select');
    expect(await page.inputValue('form.lookup select')).toBe('*');
    await page.fill('form.lookup input', 'nobody-here');
    await page.click('form.lookup button');
    await page.waitForSelector('[data-testid="lookup-result"]');
    expect(await page.textContent('[data-testid="lookup-result"]')).toBe(
      'No convoy "nobody-here" in any type.',
    );
    await page.fill('form.lookup input', 'r-1');
    await Promise.all([
      page.waitForURL(`${base}/console/convoys/review/r-1`),
      page.click('form.lookup button'),
    ]);

    await page.goto(`${base}/console`);
    const thumbnail = '.type-card[data-type="order"] .diagram.zoomable svg';
    await page.waitForSelector(thumbnail);
    const small = await page.$eval(thumbnail, (svg) => svg.getBoundingClientRect().width);
    await page.click('.type-card[data-type="order"] .diagram.zoomable');
    await page.waitForSelector('dialog.diagram-zoom[open] svg g.node');
    const large = await page.$eval('dialog.diagram-zoom svg', (svg) => svg.getBoundingClientRect().width);
    expect(large).toBeGreaterThan(small * 1.3);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.diagram-zoom', { state: 'detached' });
    // The search across types asks each type for the id: the types without it answer 404, as they should.
    expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
    await page.context().close();
  });
});
