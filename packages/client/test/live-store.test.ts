/**
 * The live read models against a running server on a real socket: a POST moves the store's snapshot
 * (seen through an `@xstate/store` selector), and a connection the server drops resumes with
 * `Last-Event-ID` without missing the change made while it was down.
 */
import { consolePlugin } from '@convoy/console';
import { buildConvoyApp } from '@convoy/http';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConvoyClient, createConvoyListStore, createConvoyStore } from '../src/index.ts';
import type { ConvoyClient, ConvoyView } from '../src/index.ts';
import { orderConvoy, ticketConvoy } from './support/convoys.ts';
import type { TestConvoys } from './support/convoys.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;
let client: ConvoyClient<TestConvoys>;
/** Open stream responses, to drop them from the server side; the Last-Event-ID of each stream request. */
const streams = new Set<ServerResponse>();
const resumeIds: Array<string | undefined> = [];

beforeAll(async () => {
  engine = createConvoyEngine({
    definitions: [orderConvoy, ticketConvoy],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
  });
  await engine.start();
  app = buildConvoyApp({ gateway: engine });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.endsWith('/stream')) return;
    resumeIds.push(request.headers['last-event-id'] as string | undefined);
    streams.add(reply.raw);
    reply.raw.on('close', () => streams.delete(reply.raw));
  });
  await app.register(consolePlugin);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  client = createConvoyClient<TestConvoys>({ baseUrl: url });
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

/** Resolve with the first value of `read()` that passes `check` (subscribing to the store). */
function until<T>(
  subscribe: (listener: () => void) => { unsubscribe(): void },
  read: () => T,
  check: (value: T) => boolean,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out; last value ${JSON.stringify(read())}`)),
      5000,
    );
    const look = (): void => {
      const value = read();
      if (!check(value)) return;
      clearTimeout(timer);
      subscription?.unsubscribe();
      resolve(value);
    };
    const subscription: { unsubscribe(): void } | undefined = subscribe(look);
    look();
  });
}

/** Drop every open stream from the server side (as a restarted proxy or a lost socket would). */
function dropStreams(): void {
  for (const raw of streams) raw.destroy();
}

describe('createConvoyStore', () => {
  it('a POST moves the snapshot; a dropped stream resumes with Last-Event-ID and misses nothing', async () => {
    await client.send('order', 'live-1', { type: 'OrderPlaced', amount: 5 }, { wait: 2000 });
    const store = createConvoyStore(client, { type: 'order', id: 'live-1' }, { retryMs: 300 });
    try {
      const value = store.select((context) => context.view?.value ?? null);
      const seen: unknown[] = [];
      value.subscribe((next) => seen.push(next));
      await until(value.subscribe, value.get, (v) => v === 'AwaitingPayment');
      expect(store.getSnapshot().context.connection).toBe('live');

      await client.send('order', 'live-1', { type: 'PaymentConfirmed' });
      await until(value.subscribe, value.get, (v) => v === 'Paid');
      expect(store.getSnapshot().context).toMatchObject({
        lastEventId: '2',
        view: { seq: 2, status: 'active' },
      });

      // The server drops the stream; a change lands while the store is reconnecting.
      const before = resumeIds.length;
      dropStreams();
      await until(
        store.subscribe,
        () => store.getSnapshot().context.connection,
        (c) => c === 'reconnecting',
      );
      await client.send('order', 'live-1', { type: 'Shipped', carrier: 'ups' }, { wait: 2000 });
      await until(value.subscribe, value.get, (v) => v === 'Shipped');
      expect(resumeIds.slice(before)).toContain('2');
      expect(store.getSnapshot().context.connection).toBe('live');
      expect(seen).toEqual(['AwaitingPayment', 'Paid', 'Shipped']);
    } finally {
      store.close();
    }
    expect(store.getSnapshot().context.connection).toBe('closed');
  });

  it('waits for a convoy not seen yet, and reports a refusal (unknown type) instead of retrying it', async () => {
    const store = createConvoyStore(client, { type: 'ticket', id: 'later-1' }, { retryMs: 100 });
    const unknown = createConvoyStore(client, { type: 'nope' as 'ticket', id: 'x' }, { retryMs: 100 });
    try {
      await client.send('ticket', 'later-1', { type: 'Opened', title: 'printer' }, { wait: 2000 });
      const view = await until(
        store.subscribe,
        () => store.getSnapshot().context.view,
        (v) => v !== null,
      );
      expect(view?.seq).toBe(1);
      const error = await until(
        unknown.subscribe,
        () => unknown.getSnapshot().context.error,
        (e) => e !== null,
      );
      expect(error?.code).toBe('unknown_convoy_type');
      expect(unknown.getSnapshot().context.connection).toBe('closed');
    } finally {
      store.close();
      unknown.close();
    }
  });
});

describe('createConvoyListStore', () => {
  it('lists a type, adds convoys as they are posted, and resumes after a dropped stream without missing one', async () => {
    await client.send('ticket', 'list-1', { type: 'Opened', title: 'a' }, { wait: 2000 });
    const store = createConvoyListStore(client, { type: 'ticket', retryMs: 300 });
    const ids = store.select(
      (context) => context.items.map((item: ConvoyView) => item.id),
      (a, b) => a.join() === b.join(),
    );
    try {
      await until(ids.subscribe, ids.get, (list) => list.includes('list-1'));
      await until(
        store.subscribe,
        () => store.getSnapshot().context.connection,
        (c) => c === 'live',
      );
      await client.send('ticket', 'list-2', { type: 'Opened', title: 'b' }, { wait: 2000 });
      await until(ids.subscribe, ids.get, (list) => list.includes('list-2'));
      expect(ids.get()[0]).toBe('list-2');

      const before = resumeIds.length;
      dropStreams();
      await until(
        store.subscribe,
        () => store.getSnapshot().context.connection,
        (c) => c === 'reconnecting',
      );
      await client.send('ticket', 'list-3', { type: 'Opened', title: 'c' }, { wait: 2000 });
      await until(ids.subscribe, ids.get, (list) => list.includes('list-3'));
      const resumed = resumeIds.slice(before).find((id) => id !== undefined);
      expect(resumed).toMatch(/^\d+-list-2$/);
    } finally {
      store.close();
    }
  });
});
