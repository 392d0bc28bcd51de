/**
 * Vitest global setup of the console tests: build the page bundle the plugin serves, so the browser
 * tests run the page built from today's sources (a clean clone has no bundle until this runs).
 */
import { buildPage } from '../../scripts/build-page.ts';

export default async function setup(): Promise<void> {
  await buildPage();
}
