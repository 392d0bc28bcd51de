/**
 * What a new user does in their first five minutes, each against the packages installed from their
 * tarballs in a project outside the workspace. Each check throws with the evidence when it fails.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRedis } from '../../packages/cli/test/support/redis-server.ts';
import { findChromium, launchChromium } from '../../packages/console/test/support/chromium.ts';
import { run, runOk, start } from './processes.ts';
import type { LongRunning } from './processes.ts';

const listening = /Convoy listening on (http:\/\/\S+)/;
const workerReady = /Convoy worker \S+ processing/;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The installed `convoy` bin of a project. */
export const convoyBin = (project: string): string => join(project, 'node_modules', '.bin', 'convoy');

async function postEvent(
  base: string,
  type: string,
  id: string,
  event: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${base}/convoys/${type}/${id}/events?wait=20000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const text = await response.text();
  assert(response.status === 202, `POST ${event['type']} answered ${response.status}: ${text}`);
}

/** GET the convoy until its state is `value` (processing may happen in another process). */
async function expectState(base: string, type: string, id: string, value: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${base}/convoys/${type}/${id}`);
    last = `${response.status} ${await response.text()}`;
    if (response.status === 200 && (JSON.parse(last.slice(4)) as { value: unknown }).value === value) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`GET /convoys/${type}/${id} never showed state ${value}; last answer: ${last}`);
}

/** Plain `node` runs an ESM script using core, runtime and http on the memory store. */
export async function checkNode(project: string): Promise<void> {
  const { stdout } = await runOk(process.execPath, ['use-memory.mjs'], project, 60_000);
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
    posts: number[];
    view: { value: unknown; seq: number; status: string };
  };
  assert(
    result.posts.join() === '202,202' && result.view.value === 'Delivered' && result.view.status === 'done',
    `node script: unexpected result ${stdout}`,
  );
}

/**
 * `tsc` accepts the typed file and rejects the one with a misspelt event type: one program over both,
 * whose only errors must be in `typed-misspelt.ts` and name the misspelt type.
 */
export async function checkTsc(project: string): Promise<void> {
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], project, 300_000);
  const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  assert(
    errors.length > 0 &&
      errors.every((line) => line.startsWith('typed-misspelt.ts')) &&
      /Deliverd/.test(result.stdout),
    `tsc: expected errors only in typed-misspelt.ts about "Deliverd" (exit ${result.code}):\n${result.stdout}${result.stderr}`,
  );
}

/** `convoy serve ./convoys.mjs` answers POST and GET; with `page` the console is checked meanwhile. */
export async function checkServe(
  project: string,
  whileServing: (base: string) => Promise<void>,
): Promise<void> {
  const server = await start(
    convoyBin(project),
    ['serve', './convoys.mjs', '--port', '0'],
    project,
    listening,
  );
  try {
    const base = server.match[1] ?? '';
    await postEvent(base, 'order', 'o-1', { type: 'OrderPlaced', amount: 42 });
    await postEvent(base, 'order', 'o-1', { type: 'Shipped' }); // early: deferred
    await postEvent(base, 'order', 'o-1', { type: 'PaymentReceived' });
    await expectState(base, 'order', 'o-1', 'Shipped');
    await whileServing(base);
  } finally {
    await server.stop();
  }
}

/**
 * `npx convoy --version`, and `npx convoy diagram <module> <type>` offline: Mermaid from core, SVG
 * through the Graphviz WASM.
 */
export async function checkDiagram(project: string, version: string): Promise<void> {
  const printed = await runOk('npx', ['convoy', '--version'], project, 60_000);
  assert(
    printed.stdout.trim() === version,
    `convoy --version printed ${printed.stdout}, expected ${version}`,
  );
  const mermaid = await runOk(
    'npx',
    ['convoy', 'diagram', './convoys.mjs', 'order', '--format', 'mermaid'],
    project,
    60_000,
  );
  assert(
    mermaid.stdout.startsWith('stateDiagram-v2') && mermaid.stdout.includes('after 30m'),
    `convoy diagram --format mermaid printed:\n${mermaid.stdout}${mermaid.stderr}`,
  );
  const svg = await runOk(
    'npx',
    ['convoy', 'diagram', './convoys.mjs', 'order', '--format', 'svg'],
    project,
    60_000,
  );
  assert(
    /<svg[\s\S]*AwaitingPayment[\s\S]*<\/svg>/.test(svg.stdout),
    `convoy diagram --format svg printed:\n${svg.stdout}`,
  );
}

/** An HTTP-only node and a worker on a Redis the test starts: the Lua scripts load from the tarball. */
export async function checkRedis(project: string): Promise<void> {
  const redis = await startTestRedis();
  const processes: LongRunning[] = [];
  try {
    const bin = convoyBin(project);
    const api = await start(
      bin,
      ['serve', './convoys.mjs', '--redis', redis.url, '--no-worker', '--port', '0'],
      project,
      listening,
    );
    processes.push(api);
    processes.push(await start(bin, ['worker', './convoys.mjs', '--redis', redis.url], project, workerReady));
    const base = api.match[1] ?? '';
    await postEvent(base, 'order', 'r-1', { type: 'OrderPlaced', amount: 5 });
    await postEvent(base, 'order', 'r-1', { type: 'PaymentReceived' });
    await expectState(base, 'order', 'r-1', 'Paid');
  } catch (error) {
    const logs = processes.map((p) => p.output()).join('\n---\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await redis.stop();
  }
}

/**
 * The console page and its assets load from the installed package in headless Chromium: the script
 * runs (the list replaces "Loading…"), no asset fails, no page error; a convoy page draws its diagram.
 */
export async function checkConsole(base: string): Promise<void> {
  const chromium = findChromium();
  assert(existsSync(chromium), `no Chromium at ${chromium} (apt-get install chromium; .ci/run installs it)`);
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    const html = await page.goto(`${base}/console`);
    assert(html?.status() === 200, `GET /console answered ${html?.status()}`);
    await page.waitForFunction(
      () => !document.querySelector('main')?.textContent?.includes('Loading'),
      null,
      {
        timeout: 30_000,
      },
    );
    assert((await page.content()).includes('order'), 'the console does not list the order convoy type');
    await page.goto(`${base}/console/convoys/order/o-1`);
    await page.waitForSelector('main svg', { timeout: 30_000 });
    assert(problems.length === 0, `console problems:\n${problems.join('\n')}`);
  } finally {
    await browser.close();
  }
}

/**
 * The README's path for a new project, in a folder of its own (outside the first project, so nothing
 * resolves from its node_modules): install the packages, `npx convoy init` (which completes the
 * package.json npm just wrote), `npm install` the test tools it added, then the starter's own test,
 * its type check, and serving it. Every Convoy tarball is installed, since `@convoy/cli`'s own
 * dependencies (`@convoy/http`, ...) are not on the registry.
 */
export async function checkInit(work: string, tarballs: readonly string[]): Promise<void> {
  const app = join(work, 'my-app');
  mkdirSync(app);
  const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'];
  await runOk('npm', [...npmInstall, ...tarballs, 'xstate@^5.33.3'], app, 600_000);
  await runOk('npx', ['convoy', 'init'], app, 60_000);
  await runOk('npm', npmInstall, app, 600_000);
  const test = await runOk('npm', ['test'], app, 180_000);
  assert(/2 passed/.test(test.stdout), `the starter's tests did not report 2 passed:\n${test.stdout}`);
  await runOk('npm', ['run', 'typecheck'], app, 180_000);
  const server = await start(convoyBin(app), ['serve', './src/convoys.ts', '--port', '0'], app, listening);
  try {
    const base = server.match[1] ?? '';
    await postEvent(base, 'order', 'o-1', { type: 'OrderPlaced', amount: 42 });
    await expectState(base, 'order', 'o-1', 'AwaitingPayment');
  } finally {
    await server.stop();
  }
}
