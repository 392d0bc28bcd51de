/// <reference lib="dom" />
// The callbacks given to page.evaluate run in the browser and use its DOM types.
/**
 * A page of another origin cannot pause a convoy (issue 14): in headless Chromium, a page served by a
 * second server on another port (and, for the cross-site case, another host name) tries what a browser
 * lets any page send without a CORS preflight: a no-cors fetch with an empty body, one with a
 * `text/plain` body, and HTML form POSTs (text/plain and urlencoded). Convoy's API runs with its
 * defaults (no auth: the worst case). The convoy is still active afterwards, and no operator action is
 * in its history.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConvoyApp } from '@convoy/http';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { browserIt } from './support/browser-rig.ts';
import { findChromium, launchChromium } from './support/chromium.ts';
import { memoryEngine, sendAndWait } from './support/shop.ts';

let engine: ConvoyEngine | undefined;
let app: FastifyInstance | undefined;
let base: string;
let browser: Browser | undefined;
let foreign: Server | undefined;
let foreignPort: number;
/** The status of every answer the API gave to a POST .../pause, as the server sent it. */
const pauseAnswers: number[] = [];

/** The attacker's page: forms aimed at the API, submitted into a hidden frame so the page stays put. */
function attackerHtml(target: string): string {
  return `<!doctype html><html><body>
<iframe name="sink" style="display:none"></iframe>
<form id="plain" method="POST" action="${target}" enctype="text/plain" target="sink">
  <input type="hidden" name='{"seq":1,"x":"' value='"}'>
</form>
<form id="urlencoded" method="POST" action="${target}" target="sink"></form>
</body></html>`;
}

beforeAll(async () => {
  if (!existsSync(findChromium()) && !process.env['CI']) return; // browserIt skips (and says why)
  engine = await memoryEngine();
  // The API with its defaults: no auth at all, the worst case. Counted on the server, since Chromium
  // reports no response for an answer it blocks (CORP on a no-cors fetch, X-Frame-Options on a frame).
  app = buildConvoyApp({ gateway: engine });
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'POST' && request.url.endsWith('/pause')) pauseAnswers.push(reply.statusCode);
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium(findChromium());
  // Another origin: same machine, another port; its page only ever serves the attack.
  foreign = createServer((request, response) => {
    const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(attackerHtml(target.replace(/[<>"']/g, '')));
  });
  await new Promise<void>((resolve) => foreign?.listen(0, '127.0.0.1', resolve));
  foreignPort = (foreign.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (foreign ? foreign.close(() => resolve()) : resolve()));
  await browser?.close();
  await app?.close();
  await engine?.close();
});

describe('a page of another origin, in headless Chromium', () => {
  for (const [label, foreignHost] of [
    // localhost vs 127.0.0.1: another site (Sec-Fetch-Site: cross-site).
    ['another site', 'localhost'],
    // Same host, another port: another origin of the same site (Sec-Fetch-Site: same-site).
    ['another origin of the same site', '127.0.0.1'],
  ] as const) {
    browserIt(`${label} cannot pause a convoy with no-cors fetches or form posts`, async () => {
      if (browser === undefined || engine === undefined) throw new Error('no browser');
      const id = `x-${foreignHost.replace(/\W/g, '')}`;
      await sendAndWait(engine, 'order', id, { type: 'PaymentReceived', amount: 5 });
      expect((await engine.getConvoy({ type: 'order', id }))?.status).toBe('active');

      const target = `${base}/convoys/order/${id}/pause`;
      const context = await browser.newContext({ reducedMotion: 'reduce' });
      const page = await context.newPage();
      const origin = `http://${foreignHost}:${foreignPort}`;
      await page.goto(`${origin}/?target=${encodeURIComponent(target)}`);
      expect(new URL(page.url()).origin).not.toBe(new URL(base).origin);

      pauseAnswers.length = 0;
      // no-cors fetches: the response is opaque to the page, but the request reaches the server.
      await page.evaluate(async (url) => {
        const attempts: RequestInit[] = [
          { method: 'POST', mode: 'no-cors' },
          { method: 'POST', mode: 'no-cors', body: '' },
          { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '' },
          { method: 'POST', mode: 'no-cors', body: '{}' },
        ];
        for (const init of attempts) {
          // The API's Cross-Origin-Resource-Policy makes Chromium reject the answer ("Failed to fetch"),
          // but only after the request was sent: what counts is whether the convoy moved.
          await fetch(url, init).catch(() => undefined);
        }
      }, target);
      await expect.poll(() => pauseAnswers.length, { timeout: 10_000 }).toBe(4);
      // Form posts (a navigation of the hidden frame).
      for (const [index, form] of ['plain', 'urlencoded'].entries()) {
        await page.evaluate((formId) => (document.getElementById(formId) as HTMLFormElement).submit(), form);
        await expect.poll(() => pauseAnswers.length, { timeout: 10_000 }).toBe(5 + index);
      }

      // Every attempt reached the API and was refused (403 cross_site_request), none answered 2xx.
      expect(pauseAnswers).toEqual([403, 403, 403, 403, 403, 403]);
      const convoy = await engine.getConvoy({ type: 'order', id });
      expect(convoy?.status).toBe('active');
      const history = await engine.getHistory({ type: 'order', id });
      expect(history?.some((entry) => entry.outcome === 'operator')).toBe(false);
      await context.close();
    });
  }
});
