/**
 * Issue 12 over HTTP: a failed effect or invoke is first-class (history entry, attention in the view and
 * the `?attention=1` listing, counted by kind), and the operator metrics move: requests by route pattern
 * and status with a latency histogram, the oldest waiting event's age per type. Each metric is scraped
 * before and after.
 */
import { readFileSync } from 'node:fs';
import { defineConvoy } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import { buildConvoyApp, createConvoyMetrics } from '../src/index.ts';
import { convoyItem, historyItem } from '../src/contract/responses.ts';
import { parcel } from './support/convoys.ts';

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
      throw new Error('printer out of paper');
    },
  },
});

/** `Ask` invokes `pricing`, which always fails; the machine handles the error. */
const quote = defineConvoy({
  type: 'quote',
  machine: setup({
    types: { events: {} as { type: 'Ask' } },
    actors: {
      pricing: fromPromise<number>(async () => {
        throw new Error('pricing service unreachable');
      }),
    },
  }).createMachine({
    id: 'quote',
    initial: 'idle',
    states: {
      idle: { on: { Ask: 'pricing' } },
      pricing: { invoke: { id: 'price', src: 'pricing', onDone: 'quoted', onError: 'failed' } },
      quoted: {},
      failed: {},
    },
  }),
});

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function setupApp(options: { start?: boolean } = {}) {
  const metrics = createConvoyMetrics();
  const engine: ConvoyEngine = createConvoyEngine({
    definitions: [parcel, label, quote],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    waitPollMs: 10,
    effectRetry: { attempts: 1, baseDelayMs: 0, deadLetterAfterTurns: 1 },
    metrics: metrics.sink,
  });
  const app = buildConvoyApp({ gateway: engine, metrics });
  open.push(engine, app);
  const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const post = (url: string, event: object) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(event),
    });
  return { engine, app, scrape, post, start: options.start !== false ? engine.start() : Promise.resolve() };
}

/** The value of one sample line, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('failures are first-class over HTTP', () => {
  it('a dead-lettered effect: an effectFailed history item, attention in the view and the listing, counted by kind', async () => {
    const { app, scrape, post, start } = setupApp();
    await start;
    const before = await scrape();
    expect(sample(before, 'convoy_effect_failures_total{type="label",kind="effect"}')).toBeUndefined();

    expect((await post('/convoys/label/l-1/events?wait=5000', { type: 'Pack' })).statusCode).toBe(202);
    await post('/convoys/label/l-2/events?wait=5000', { type: 'Pack' });
    await expect
      .poll(async () => (await app.inject({ url: '/convoys/label/l-1' })).json().attention)
      .toBeDefined();

    const view = (await app.inject({ url: '/convoys/label/l-1' })).json();
    expect(convoyItem.parse(view).attention).toMatchObject({
      deadLetters: 1,
      reason: 'handler_error',
      effect: 'label',
    });
    expect(view.attention.error).toContain('printer out of paper');

    const history = (await app.inject({ url: '/convoys/label/l-1/history' })).json().items as unknown[];
    const failed = history
      .map((item) => historyItem.parse(item))
      .find((item) => item.outcome === 'effectFailed');
    expect(failed).toMatchObject({
      seq: 1,
      event: { type: 'Pack' },
      failure: { kind: 'effect', name: 'label', deadLettered: true },
    });

    const listed = (await app.inject({ url: '/convoys/label?attention=1' })).json();
    expect(listed.items.map((item: { id: string }) => item.id).sort()).toEqual(['l-1', 'l-2']);
    const refused = await app.inject({ url: '/convoys/label?attention=yes' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('invalid_request');

    const after = await scrape();
    expect(sample(after, 'convoy_effect_failures_total{type="label",kind="effect"}')).toBe(2);
    expect(sample(after, 'convoy_dead_letters_total{type="label"}')).toBe(2);

    // Discarding the letter clears the attention (view and listing).
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: '/convoys/label/l-1/dead-letters/1',
          headers: { 'x-convoy-request': '1' },
        })
      ).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/convoys/label/l-1' })).json().attention).toBeUndefined();
    const still = (await app.inject({ url: '/convoys/label?attention=1' })).json();
    expect(still.items.map((item: { id: string }) => item.id)).toEqual(['l-2']);
  });

  it('a failed invoke is counted as kind="invoke" and recorded, without a dead letter', async () => {
    const { app, scrape, post, start } = setupApp();
    await start;
    await post('/convoys/quote/q-1/events', { type: 'Ask' });
    await expect
      .poll(async () => (await app.inject({ url: '/convoys/quote/q-1' })).json().value)
      .toBe('failed');
    const after = await scrape();
    expect(sample(after, 'convoy_effect_failures_total{type="quote",kind="invoke"}')).toBe(1);
    expect(sample(after, 'convoy_dead_letters_total{type="quote"}')).toBeUndefined();
    const history = (await app.inject({ url: '/convoys/quote/q-1/history' })).json().items;
    expect(history.map((item: { outcome: string }) => item.outcome)).toEqual([
      'applied',
      'effectFailed',
      'applied',
    ]);
    expect((await app.inject({ url: '/convoys/quote/q-1' })).json().attention).toBeUndefined();
  });
});

describe('operator metrics', () => {
  it('HTTP requests are counted by route pattern and status with a latency histogram (never the raw URL)', async () => {
    const { app, scrape, post, start } = setupApp();
    await start;
    const before = await scrape();
    expect(before).not.toContain('convoy_http_requests_total{method="POST"');
    await post('/convoys/parcel/p-1/events', { type: 'OrderPlaced' });
    await post('/convoys/parcel/p-2/events', { type: 'OrderPlaced' });
    await post('/convoys/parcel/p-3/events', { type: 'NoSuchEvent' });
    await app.inject({ url: '/convoys/parcel/never-seen' });
    const after = await scrape();
    const events = 'method="POST",route="/convoys/:type/:id/events"';
    expect(sample(after, `convoy_http_requests_total{${events},status="202"}`)).toBe(2);
    expect(sample(after, `convoy_http_requests_total{${events},status="422"}`)).toBe(1);
    expect(
      sample(after, 'convoy_http_requests_total{method="GET",route="/convoys/:type/:id",status="404"}'),
    ).toBe(1);
    expect(sample(after, `convoy_http_request_duration_seconds_count{${events}}`)).toBe(3);
    // The scrape before was answered too (counted once it was sent).
    expect(sample(after, 'convoy_http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1);
    expect(after).not.toContain('p-1');
    expect(after).not.toContain('never-seen');
  });

  it("the oldest waiting event's age per type rises while events wait and drops to 0 once processed", async () => {
    const { engine, scrape, post } = setupApp({ start: false });
    const gauge = 'convoy_oldest_waiting_event_age_seconds{type="parcel"}';
    expect(sample(await scrape(), gauge)).toBe(0);
    await post('/convoys/parcel/w-1/events', { type: 'OrderPlaced' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const waiting = sample(await scrape(), gauge);
    expect(waiting).toBeGreaterThan(0);
    expect(sample(await scrape(), 'convoy_oldest_waiting_event_age_seconds{type="label"}')).toBe(0);
    await engine.start();
    await expect.poll(async () => sample(await scrape(), gauge)).toBe(0);
  });

  it('docs/observability.md gives one alert expression over metrics /metrics really serves', async () => {
    const doc = readFileSync(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
    const block = /<!-- alert:anything-failing -->\s*```promql\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block, 'the alert expression block').toBeDefined();
    const { scrape, post, start } = setupApp();
    await start;
    await post('/convoys/label/a-1/events?wait=5000', { type: 'Pack' });
    await expect.poll(async () => sample(await scrape(), 'convoy_dead_letters_total{type="label"}')).toBe(1);
    const served = await scrape();
    const names = [...new Set(block!.match(/convoy_[a-z_]+/g) ?? [])];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(served, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    expect(z.string().parse(block)).toMatch(/stalled/);
  });
});
