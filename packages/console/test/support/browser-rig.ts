/**
 * The set-up every browser test shares: the HTTP API (with the given auth) and the console page over the
 * real engine on a free port,
 * and headless Chromium. Also the one place that decides what a missing Chromium means: a failure in CI
 * (`.ci/run` installs Debian's chromium), a loud skip on a developer's machine.
 */
import { existsSync } from 'node:fs';
import { buildConvoyApp, createConvoyMetrics } from '@convoy/http';
import type { ConvoyAuthOptions } from '@convoy/http';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { it } from 'vitest';
import { consolePlugin } from '../../src/plugin.ts';
import { findChromium, launchChromium } from './chromium.ts';
import { memoryEngine } from './shop.ts';

const chromiumPath = findChromium();
const hasChromium = existsSync(chromiumPath);
const inCi = Boolean(process.env['CI']);

if (!hasChromium && !inCi) {
  // At load time: when every test is skipped, vitest runs no beforeAll, so this is the only place to say why.
  console.warn(
    `[console] SKIPPING the browser tests: no Chromium at ${chromiumPath} (apt-get install chromium)`,
  );
}

/** `it` when the browser tests can run (or must: in CI), `it.skip` locally without Chromium. */
export const browserIt = hasChromium || inCi ? it : it.skip;

/** A running server plus browser. */
export interface BrowserRig {
  readonly engine: ConvoyEngine;
  readonly app: FastifyInstance;
  /** e.g. `http://127.0.0.1:41234` */
  readonly base: string;
  readonly browser: Browser;
}

/**
 * Start the rig. Resolves undefined when Chromium is missing outside CI (the tests are skipped); throws in CI.
 */
export async function startBrowserRig(
  auth?: ConvoyAuthOptions,
  options: { readonly metrics?: boolean } = {},
): Promise<BrowserRig | undefined> {
  if (!hasChromium) {
    if (inCi)
      throw new Error(`Chromium is missing at ${chromiumPath}: .ci/run must install Debian's chromium`);
    console.warn(
      `[console] SKIPPING the browser tests: no Chromium at ${chromiumPath} (apt-get install chromium)`,
    );
    return undefined;
  }
  const metrics = options.metrics ? createConvoyMetrics() : undefined;
  const engine = await memoryEngine(undefined, metrics?.sink);
  const app = buildConvoyApp({
    gateway: engine,
    ...(auth === undefined ? {} : { auth }),
    ...(metrics === undefined ? {} : { metrics }),
  });
  try {
    await app.register(consolePlugin);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchChromium(chromiumPath);
    return { engine, app, base, browser };
  } catch (error) {
    await app.close();
    await engine.close();
    throw error;
  }
}

/** Stop what {@link startBrowserRig} started (browser, HTTP, engine). */
export async function stopBrowserRig(rig: BrowserRig | undefined): Promise<void> {
  await rig?.browser.close();
  await rig?.app.close();
  await rig?.engine.close();
}
