/**
 * Live SSE streams over a real socket, real engine on the memory store: the per-type stream carries every
 * committed change of that type (and nothing of other types), resumes from `Last-Event-ID`; the per-convoy
 * stream carries the view with id = processed seq; open streams end when the app closes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine, parcel } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';
import { sseReader } from './support/sse-reader.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;
let base: string;

beforeEach(async () => {
  engine = await memoryEngine();
  app = buildConvoyApp({ gateway: engine });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

const post = (type: string, id: string, event: object) =>
  fetch(`${base}/convoys/${type}/${id}/events?wait=5000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });

describe('GET /convoys/:type/stream', () => {
  it('streams every committed change of the type, in order, with <updatedAt>-<id> ids, and none of other types', async () => {
    const response = await fetch(`${base}/convoys/parcel/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = sseReader(response);
    await post('ledger', 'l-1', { type: 'Tick', eventId: 'a' });
    await post('parcel', 'p-1', { type: 'OrderPlaced' });
    await post('parcel', 'p-2', { type: 'OrderPlaced' });
    await post('parcel', 'p-1', { type: 'PaymentConfirmed', amount: 3 });
    const events = await stream.next(3);
    expect(events.map((event) => [event.data.id, event.data.seq, event.data.value])).toEqual([
      ['p-1', 1, 'AwaitingPayment'],
      ['p-2', 1, 'AwaitingPayment'],
      ['p-1', 2, 'AwaitingShipment'],
    ]);
    for (const event of events) expect(event.id).toMatch(new RegExp(`^\\d+-${event.data.id}$`));
    expect(await stream.next(1, 300)).toEqual([]);
  });

  it('with Last-Event-ID replays the convoys of the type updated after it, then goes live', async () => {
    await post('parcel', 'p-1', { type: 'OrderPlaced' });
    const first = sseReader(await fetch(`${base}/convoys/parcel/stream`));
    await post('parcel', 'p-2', { type: 'OrderPlaced' });
    const [seen] = await first.next(1);
    expect(seen?.data.id).toBe('p-2');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post('parcel', 'p-1', { type: 'OrderCanceled' });
    await post('parcel', 'p-3', { type: 'OrderPlaced' });

    const resumed = sseReader(
      await fetch(`${base}/convoys/parcel/stream`, { headers: { 'last-event-id': seen!.id } }),
    );
    const replay = await resumed.next(2);
    expect(replay.map((event) => [event.data.id, event.data.value])).toEqual([
      ['p-1', 'Canceled'],
      ['p-3', 'AwaitingPayment'],
    ]);
    await post('parcel', 'p-4', { type: 'OrderPlaced' });
    expect((await resumed.next(1))[0]?.data.id).toBe('p-4');
  });

  it('refuses an unknown type with 404 and a malformed Last-Event-ID with 400', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/convoys/nope/stream' });
    expectError(unknown, 'unknown_convoy_type');
    const bad = await app.inject({
      method: 'GET',
      url: '/convoys/parcel/stream',
      headers: { 'last-event-id': 'garbage' },
    });
    expectError(bad, 'invalid_request');
  });
});

describe('GET /convoys/:type/:id/stream', () => {
  it('sends the current view, then one event per change, id = processed seq; Last-Event-ID skips a seen view', async () => {
    await post('parcel', 'p-1', { type: 'OrderPlaced' });
    const stream = sseReader(await fetch(`${base}/convoys/parcel/p-1/stream`));
    expect((await stream.next(1)).map((event) => [event.id, event.data.value])).toEqual([
      ['1', 'AwaitingPayment'],
    ]);
    await post('parcel', 'p-2', { type: 'OrderPlaced' });
    await post('parcel', 'p-1', { type: 'PaymentConfirmed', amount: 1 });
    expect((await stream.next(1)).map((event) => [event.id, event.data.value])).toEqual([
      ['2', 'AwaitingShipment'],
    ]);

    const resumed = sseReader(
      await fetch(`${base}/convoys/parcel/p-1/stream`, { headers: { 'last-event-id': '2' } }),
    );
    expect(await resumed.next(1, 300)).toEqual([]);
    await post('parcel', 'p-1', { type: 'ItemsShipped', carrier: 'ups' });
    expect((await resumed.next(1))[0]?.id).toBe('3');
  });

  it('answers 404 for a convoy never seen', async () => {
    expectError(await app.inject({ method: 'GET', url: '/convoys/parcel/ghost/stream' }), 'convoy_not_found');
  });

  it('open streams end when the app closes (close does not hang on connected clients)', async () => {
    await post('parcel', 'p-1', { type: 'OrderPlaced' });
    const one = await fetch(`${base}/convoys/parcel/p-1/stream`);
    const all = await fetch(`${base}/convoys/parcel/stream`);
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(one.text()).resolves.toContain('event: convoy');
    await expect(all.text()).resolves.toContain('retry: 1000');
  });
});

describe('streams on a node that does not process (commits made by another process)', () => {
  it('carry commits this process never sees through subscribe, by polling the store', async () => {
    // Two engines over one store: the HTTP node only accepts and reads (like `convoy serve --no-worker`
    // on Redis), the worker engine commits; its commits never reach the HTTP engine's `subscribe`.
    const store = new MemoryConvoyStore();
    const scheduler = new MemoryTurnScheduler();
    const httpNode = createConvoyEngine({
      definitions: [parcel],
      store,
      scheduler,
      processing: false,
      logger: silentLogger,
    });
    const worker = createConvoyEngine({ definitions: [parcel], store, scheduler, logger: silentLogger });
    const nodeApp = buildConvoyApp({ gateway: httpNode });
    const nodeBase = await nodeApp.listen({ port: 0, host: '127.0.0.1' });
    let notified = 0;
    const unsubscribe =
      httpNode.subscribe?.((changed) => {
        if (changed.id === 'x-1') notified += 1;
      }) ?? (() => undefined);
    try {
      await httpNode.start();
      await worker.start();
      const send = (event: object) =>
        fetch(`${nodeBase}/convoys/parcel/x-1/events?wait=5000`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        });
      expect((await send({ type: 'OrderPlaced' })).status).toBe(202);
      const one = sseReader(await fetch(`${nodeBase}/convoys/parcel/x-1/stream`));
      const all = sseReader(await fetch(`${nodeBase}/convoys/parcel/stream`));
      expect((await one.next(1)).map((event) => event.data.value)).toEqual(['AwaitingPayment']);
      expect((await send({ type: 'PaymentConfirmed', amount: 5 })).status).toBe(202);
      expect((await one.next(1)).map((event) => [event.id, event.data.value])).toEqual([
        ['2', 'AwaitingShipment'],
      ]);
      expect((await all.next(1)).map((event) => [event.data.id, event.data.value])).toEqual([
        ['x-1', 'AwaitingShipment'],
      ]);
      // The control: the HTTP node's own commit notifications never fired for these commits.
      expect(notified).toBe(0);
    } finally {
      unsubscribe();
      await nodeApp.close();
      await worker.close();
      await httpNode.close();
    }
  });
});
