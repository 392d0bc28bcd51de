import type { ConvoyGateway, ConvoyKey } from '@convoy/core';
import { buildConvoyApp } from '@convoy/http';
import type { ConvoyEngine } from '@convoy/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleConvoyState } from '../src/convoy-state.ts';
import { consolePlugin } from '../src/plugin.ts';
import type { ConsolePluginOptions } from '../src/plugin.ts';
import { consoleApp } from './support/app.ts';
import type { ConsoleApp } from './support/app.ts';
import { memoryEngine, sendAndWait } from './support/shop.ts';
import { openSse } from './support/sse.ts';
import type { SseClient, SseEvent } from './support/sse.ts';

const opened: SseClient[] = [];
let current: ConsoleApp | undefined;
afterEach(async () => {
  for (const client of opened.splice(0)) client.close();
  await current?.close();
  current = undefined;
});

/** A listening app; returns the base URL. */
async function listen(
  options: Parameters<typeof consoleApp>[0] = {},
): Promise<{ url: string; app: ConsoleApp }> {
  current = await consoleApp(options);
  const address = await current.app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, app: current };
}

async function stream(url: string, headers?: Record<string, string>): Promise<SseClient> {
  const client = await openSse(url, headers);
  opened.push(client);
  return client;
}

/** Commit notifications driven by the test, for a console reading a real engine. */
interface Notifier {
  readonly listeners: Set<(key: ConvoyKey) => void>;
  readonly subscriptions: number;
  notify(key: ConvoyKey): void;
}

/** A listening app whose console gateway is the real engine plus a test-driven `subscribe`. */
async function listenWithNotifier(
  options: Omit<ConsolePluginOptions, 'gateway'>,
): Promise<{ url: string; engine: ConvoyEngine; notifier: Notifier }> {
  const engine = await memoryEngine();
  const listeners = new Set<(key: ConvoyKey) => void>();
  let subscriptions = 0;
  const notifier: Notifier = {
    listeners,
    get subscriptions() {
      return subscriptions;
    },
    notify: (key) => listeners.forEach((listener) => listener(key)),
  };
  // Spread: every other gateway method is the engine's own.
  const gateway: ConvoyGateway = {
    ...engine,
    subscribe: (listener) => {
      subscriptions += 1;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const app = buildConvoyApp({ gateway: engine });
  await app.register(consolePlugin, { gateway, ...options });
  current = {
    app,
    engine,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), engine, notifier };
}

const stateOf = (event: SseEvent): ConsoleConvoyState => JSON.parse(event.data) as ConsoleConvoyState;
const events = (base: string, id = 'o-1'): string => `${base}/console/api/convoys/order/${id}/events`;

describe('convoy live stream', () => {
  it('opens as text/event-stream and first sends the current state, id = processed seq', async () => {
    const { url, app } = await listen({ live: 'poll', pollMs: 50 });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const first = await client.next();
    expect(first).toMatchObject({ event: 'convoy', id: '1' });
    expect(stateOf(first)).toMatchObject({
      convoy: { seq: 1, value: { Shipping: 'Packing' } },
      active: ['order.Shipping', 'order.Shipping.Packing'],
      history: { from: 0, entries: [{ seq: 1, outcome: 'applied' }] },
    });
  });

  it('pushes each processed event, sending only the history entries the client has not seen', async () => {
    const { url, app } = await listen({ live: 'poll', pollMs: 50 });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    await client.next();
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'Packed' });
    const second = stateOf(await client.next());
    expect(second.active).toEqual(['order.Shipping', 'order.Shipping.InTransit']);
    expect(second.history).toEqual({
      from: 1,
      entries: [expect.objectContaining({ seq: 2, outcome: 'applied' })],
    });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'ConfirmDelivery' });
    const third = stateOf(await client.next());
    expect(third.convoy.deferred).toBe(1);
    expect(third.history).toEqual({
      from: 2,
      entries: [expect.objectContaining({ seq: 3, outcome: 'deferred' })],
    });
  });

  it('waits for a convoy that does not exist yet and sends it once its first event is processed', async () => {
    const { url, app } = await listen({ live: 'poll', pollMs: 50 });
    const client = await stream(events(url, 'later'));
    expect(client.status).toBe(200);
    expect(await client.quietFor(200)).toBe(true);
    await sendAndWait(app.engine, 'order', 'later', { type: 'Cancel' });
    expect(stateOf(await client.next())).toMatchObject({
      convoy: { status: 'active', seq: 1 },
      active: ['order.Cancelled'],
    });
  });

  it('on resume with Last-Event-ID, sends the current state at once only when it is newer', async () => {
    const { url, app } = await listen({ live: 'poll', pollMs: 50 });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'Packed' });

    const behind = await stream(events(url), { 'last-event-id': '1' });
    expect(await behind.next()).toMatchObject({ id: '2' });

    const upToDate = await stream(events(url), { 'last-event-id': '2' });
    expect(await upToDate.quietFor(300)).toBe(true);
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'Arrived' });
    // The stream cannot know how much history the client kept, so the next event carries all of it.
    const next = stateOf(await upToDate.next());
    expect(next.convoy.seq).toBe(3);
    expect(next.history.from).toBe(0);
    expect(next.history.entries.map((e) => e.seq)).toEqual([1, 2, 3]);

    const viaQuery = await stream(`${events(url)}?lastEventId=3`);
    expect(await viaQuery.quietFor(300)).toBe(true);
  });

  it('uses the gateway subscribe when present: a notified change arrives before any poll', async () => {
    // A poll interval far beyond the test: only a notification can deliver the change.
    const { url, engine, notifier } = await listenWithNotifier({ pollMs: 600_000 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    expect(stateOf(await client.next()).convoy.seq).toBe(1);
    expect(notifier.subscriptions).toBe(1);
    await sendAndWait(engine, 'order', 'o-1', { type: 'Packed' });
    expect(await client.quietFor(300)).toBe(true);
    notifier.notify({ type: 'order', id: 'other' });
    expect(await client.quietFor(100)).toBe(true);
    notifier.notify({ type: 'order', id: 'o-1' });
    expect(stateOf(await client.next()).convoy.seq).toBe(2);
    client.close();
    await expect.poll(() => notifier.listeners.size).toBe(0);
  });

  it('also polls when the gateway can subscribe: a commit no notification announces still arrives', async () => {
    // The notifier never fires, like `subscribe` on a node whose convoys another process commits.
    const { url, engine, notifier } = await listenWithNotifier({ pollMs: 50 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    expect(stateOf(await client.next()).convoy.seq).toBe(1);
    expect(notifier.subscriptions).toBe(1);
    await sendAndWait(engine, 'order', 'o-1', { type: 'Packed' });
    expect(stateOf(await client.next(2000)).convoy.seq).toBe(2);
  });

  it("is pushed by the real engine's commit notifications (long before a poll)", async () => {
    const { url, app } = await listen({ pollMs: 600_000 });
    expect(typeof app.engine.subscribe).toBe('function');
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    expect(stateOf(await client.next()).convoy.seq).toBe(1);
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'Packed' });
    expect(stateOf(await client.next(2000)).active).toEqual(['order.Shipping', 'order.Shipping.InTransit']);
  });

  it("polls instead of subscribing when live is 'poll' (a node whose convoys other processes run)", async () => {
    const { url, engine, notifier } = await listenWithNotifier({ live: 'poll', pollMs: 50 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    await client.next();
    await sendAndWait(engine, 'order', 'o-1', { type: 'Packed' });
    expect(stateOf(await client.next()).convoy.seq).toBe(2);
    expect(notifier.subscriptions).toBe(0);
  });

  it('ends open streams when the app closes, so close does not hang', async () => {
    const { url, app } = await listen({ live: 'poll', pollMs: 50 });
    await sendAndWait(app.engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 10 });
    const client = await stream(events(url));
    await client.next();
    const started = Date.now();
    await app.app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(client.next(1000)).rejects.toThrow('the stream ended');
  });
});
