/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by `playwright-core`.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** `CONVOY_CHROMIUM`, else the `chromium` binary on the PATH (Debian's package installs /usr/bin/chromium). */
export function findChromium(): string {
  const explicit = process.env['CONVOY_CHROMIUM'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, 'chromium')).find((file) => existsSync(file)) ?? '/usr/bin/chromium';
}

/** Launch it headless, without any background network. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
