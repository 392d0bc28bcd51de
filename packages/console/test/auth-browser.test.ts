/// <reference lib="dom" />
// The callbacks given to page.evaluate/$eval/waitForFunction run in the browser and use its DOM types.
/**
 * One auth model: the console page is guarded by the API's own auth. With every route group behind
 * bearer tokens, the page asks for a token, reads with a read token, and an operator action with that
 * token is refused by the API (403) and shown, while the convoy stays as it was.
 */
import type { ConvoyEngine } from '@convoy/runtime';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { browserIt, startBrowserRig, stopBrowserRig } from './support/browser-rig.ts';
import type { BrowserRig } from './support/browser-rig.ts';
import { sendAndWait } from './support/shop.ts';

let rig: BrowserRig | undefined;
let engine: ConvoyEngine;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  rig = await startBrowserRig({
    read: { tokens: [{ name: 'viewer', token: 'read-secret' }] },
    write: { tokens: ['write-secret'] },
    operate: { tokens: [{ name: 'ops', token: 'operate-secret' }] },
  });
  if (rig !== undefined) ({ engine, base, browser } = rig);
});

afterAll(() => stopBrowserRig(rig));

describe('console under the API auth, in headless Chromium', () => {
  browserIt(
    'asks for a token, reads with it, and shows the API refusing an action the token may not do',
    async () => {
      if (browser === undefined) throw new Error('no browser');
      await sendAndWait(engine, 'order', 'a-1', { type: 'PaymentReceived', amount: 5 });
      const context = await browser.newContext({
        viewport: { width: 1360, height: 900 },
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      const refused: number[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) refused.push(response.status());
      });

      // No token: the API refuses the page's first read, and the page asks for one.
      await page.goto(`${base}/console/convoys/order/a-1`);
      await page.waitForSelector('[data-testid="sign-in"]');
      expect(await page.textContent('[data-testid="sign-in"] .error')).toContain('unauthorized');
      expect(refused).toContain(401);

      await page.fill('[data-testid="sign-in"] input[name="token"]', 'read-secret');
      await page.click('[data-testid="sign-in"] button[type="submit"]');
      await page.waitForSelector('svg.diagram-svg g.node.active');
      await page.waitForSelector('.live[data-state="live"]');
      expect(await page.textContent('[data-testid="state"]')).toBe('Shipping.Packing');

      // The read token may not pause: the API answers 403 and the page shows it; nothing changed.
      await page.click('button[data-action="pause"]');
      await page.waitForSelector('[data-testid="action-error"] .error');
      expect(await page.textContent('[data-testid="action-error"]')).toContain('forbidden');
      expect((await engine.getConvoy({ type: 'order', id: 'a-1' }))?.status).toBe('active');
      await context.close();
    },
  );
});
