/**
 * Every route against the real engine on the memory store: what a client writes is what it reads back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ConvoyEngine } from '@convoy/runtime';
import { buildConvoyApp } from '../src/index.ts';
import { parcel, memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await memoryEngine();
  app = buildConvoyApp({ gateway: engine });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

function post(
  path: string,
  event: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(event),
  });
}

const isoDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('POST /convoys/:type/:id/events', () => {
  it('answers 202 with the receipt; seq counts 1, 2, 3 per convoy', async () => {
    const first = await post('/convoys/parcel/p-1/events', { type: 'OrderPlaced' });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ type: 'parcel', id: 'p-1', seq: 1, duplicate: false });
    expect((await post('/convoys/parcel/p-1/events', { type: 'OrderCanceled' })).json()).toMatchObject({
      seq: 2,
    });
    expect((await post('/convoys/parcel/p-2/events', { type: 'OrderPlaced' })).json()).toMatchObject({
      seq: 1,
    });
  });

  it('with ?wait the answer comes after processing, so a GET right after reads the new state', async () => {
    const placed = await post('/convoys/parcel/p-1/events?wait=5000', { type: 'OrderPlaced' });
    expect(placed.statusCode).toBe(202);
    expect(placed.json()).toEqual({
      ...{ type: 'parcel', id: 'p-1', seq: 1, duplicate: false, processed: true },
      ...{ outcome: 'applied', final: true, status: 'active', value: 'AwaitingPayment' },
    });
    const paid = await post('/convoys/parcel/p-1/events?wait=5000', { type: 'PaymentConfirmed', amount: 42 });
    expect(paid.json()).toMatchObject({ seq: 2, processed: true });

    const view = await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toEqual({
      type: 'parcel',
      id: 'p-1',
      status: 'active',
      value: 'AwaitingShipment',
      context: { paid: 42, shippedWith: null },
      seq: 2,
      accepted: 2,
      deferred: 0,
      version: 1,
      createdAt: expect.stringMatching(isoDate),
      updatedAt: expect.stringMatching(isoDate),
    });
  });

  it('the same Idempotency-Key returns the original seq with duplicate:true and applies once', async () => {
    const headers = { 'idempotency-key': 'pay-7f3a' };
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'OrderPlaced' });
    const first = await post(
      '/convoys/parcel/p-1/events?wait=5000',
      { type: 'PaymentConfirmed', amount: 5 },
      headers,
    );
    const again = await post(
      '/convoys/parcel/p-1/events?wait=5000',
      { type: 'PaymentConfirmed', amount: 5 },
      headers,
    );
    const outcome = { outcome: 'applied', final: true, status: 'active', value: 'AwaitingShipment' };
    expect(first.json()).toEqual({
      ...{ type: 'parcel', id: 'p-1', seq: 2, duplicate: false, processed: true },
      ...outcome,
    });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({
      ...{ type: 'parcel', id: 'p-1', seq: 2, duplicate: true, processed: true },
      ...outcome,
    });
    const history = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/history' })).json<{
      items: Array<{ seq: number }>;
    }>();
    expect(history.items.map((item) => item.seq)).toEqual([1, 2]);
    expect((await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json()).toMatchObject({
      accepted: 2,
    });
  });

  it('the same Idempotency-Key with a different body is 409 idempotency_conflict and appends nothing', async () => {
    const headers = { 'idempotency-key': 'pay-7f3a' };
    await post('/convoys/parcel/p-1/events', { type: 'PaymentConfirmed', amount: 5 }, headers);
    expectError(
      await post('/convoys/parcel/p-1/events', { type: 'PaymentConfirmed', amount: 6 }, headers),
      'idempotency_conflict',
    );
    // The key is per convoy: another convoy may use it.
    expect((await post('/convoys/parcel/p-2/events', { type: 'OrderPlaced' }, headers)).statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json()).toMatchObject({
      accepted: 1,
    });
  });

  it('an event type the machine does not know is 422 unknown_event_type', async () => {
    expectError(await post('/convoys/parcel/p-1/events', { type: 'RefundIssued' }), 'unknown_event_type');
    expectError(await post('/convoys/parcel/p-1/events', { type: '' }), 'unknown_event_type');
    expectError(await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' }), 'convoy_not_found');
  });

  it('an xstate.* event type is 422 reserved_event_type', async () => {
    expectError(
      await post('/convoys/parcel/p-1/events', { type: 'xstate.after.1000.parcel.New' }),
      'reserved_event_type',
    );
  });

  it('an unknown convoy type is 404 unknown_convoy_type', async () => {
    expectError(await post('/convoys/invoice/i-1/events', { type: 'OrderPlaced' }), 'unknown_convoy_type');
    expectError(await app.inject({ method: 'GET', url: '/convoys/invoice/i-1' }), 'unknown_convoy_type');
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/invoice/i-1/history' }),
      'unknown_convoy_type',
    );
  });

  it('fields of the event are kept as sent: nothing coerced, nothing stripped', async () => {
    const event = { type: 'PaymentConfirmed', amount: '42', extra: { nested: [1, null, true] } };
    await post('/convoys/parcel/p-1/events?wait=5000', event);
    const history = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/history' })).json<{
      items: Array<{ event: unknown }>;
    }>();
    expect(history.items[0]?.event).toEqual(event);
  });
});

describe('bad input is inert', () => {
  it('every refused POST leaves the convoy exactly as it was', async () => {
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'OrderPlaced' }, { 'idempotency-key': 'k-1' });
    const before = await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' });
    const url = '/convoys/parcel/p-1/events';
    const refused = [
      { headers: { 'content-type': 'application/json' }, payload: '{"type":' },
      { headers: { 'content-type': 'application/json' }, payload: '' },
      { headers: { 'content-type': 'text/plain' }, payload: '{"type":"OrderCanceled"}' },
      { headers: { 'content-type': 'application/json' }, payload: '[{"type":"OrderCanceled"}]' },
      { headers: { 'content-type': 'application/json' }, payload: '{"type":"Nope"}' },
      { headers: { 'content-type': 'application/json' }, payload: '{"type":"xstate.init"}' },
      {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ type: 'OrderCanceled', pad: 'x'.repeat(70_000) }),
      },
      {
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        payload: '{"type":"OrderCanceled"}',
      },
      {
        headers: { 'content-type': 'application/json', 'idempotency-key': '' },
        payload: '{"type":"OrderCanceled"}',
      },
    ];
    for (const request of refused) {
      const response = await app.inject({ method: 'POST', url, ...request });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    const wrongUrl = await app.inject({
      method: 'POST',
      url: '/convoys/parcel/p-1/events?wait=abc',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"OrderCanceled"}',
    });
    expect(wrongUrl.statusCode).toBe(400);
    const after = await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' });
    expect(after.json()).toEqual(before.json());
    const history = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/history' })).json<{
      items: unknown[];
    }>();
    expect(history.items).toHaveLength(1);
  });
});

describe('backlog', () => {
  it('a convoy with maxBacklog unprocessed events answers 429 backlog_full', async () => {
    const { defineConvoy } = await import('@convoy/core');
    const small = defineConvoy({ type: 'small', machine: parcel.machine, maxBacklog: 2 });
    const idle = await memoryEngine([small], { started: false });
    const idleApp = buildConvoyApp({ gateway: idle });
    const send = (): Promise<LightMyRequestResponse> =>
      idleApp.inject({
        method: 'POST',
        url: '/convoys/small/s-1/events',
        headers: { 'content-type': 'application/json' },
        payload: '{"type":"OrderPlaced"}',
      });
    expect((await send()).statusCode).toBe(202);
    expect((await send()).statusCode).toBe(202);
    expectError(await send(), 'backlog_full');
    await idleApp.close();
    await idle.close();
  });
});

describe('GET /convoys/:type/:id/history', () => {
  it('a deferred event shows deferred, then applied under the same seq, in processing order', async () => {
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'OrderPlaced' });
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'ItemsShipped', carrier: 'DHL' });
    const waiting = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json();
    expect(waiting).toMatchObject({ value: 'AwaitingPayment', seq: 2, accepted: 2, deferred: 1 });

    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'PaymentConfirmed', amount: 9 });
    const response = await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/history' });
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: Array<Record<string, unknown>> }>();
    expect(items.map((item) => [item['seq'], item['outcome'], item['from'], item['to']])).toEqual([
      [1, 'applied', 'New', 'AwaitingPayment'],
      [2, 'deferred', 'AwaitingPayment', 'AwaitingPayment'],
      [3, 'applied', 'AwaitingPayment', 'AwaitingShipment'],
      [2, 'applied', 'AwaitingShipment', 'Shipped'],
    ]);
    expect(items[1]).toMatchObject({
      event: { type: 'ItemsShipped', carrier: 'DHL' },
      reason: 'not_accepted_in_state',
    });
    for (const item of items) expect(item['at']).toMatch(isoDate);
    const view = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json();
    expect(view).toMatchObject({ value: 'Shipped', deferred: 0, context: { paid: 9, shippedWith: 'DHL' } });
  });

  it('events after a final state are recorded as rejected and the convoy is done', async () => {
    await post('/convoys/parcel/p-1/events', { type: 'OrderPlaced' });
    await post('/convoys/parcel/p-1/events', { type: 'OrderCanceled' });
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'PaymentConfirmed', amount: 1 });
    expect((await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json()).toMatchObject({
      status: 'done',
      value: 'Canceled',
    });
    const { items } = (await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/history' })).json<{
      items: Array<Record<string, unknown>>;
    }>();
    expect(items[2]).toMatchObject({ seq: 3, outcome: 'rejected', reason: 'convoy_done' });
  });

  it('a convoy never seen is 404 convoy_not_found', async () => {
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/parcel/nobody/history' }),
      'convoy_not_found',
    );
  });
});

describe('GET /convoys/:type/:id/wait', () => {
  it('answers 200 processed:true once the seq is processed', async () => {
    const { seq } = (await post('/convoys/parcel/p-1/events', { type: 'OrderPlaced' })).json<{
      seq: number;
    }>();
    const response = await app.inject({
      method: 'GET',
      url: `/convoys/parcel/p-1/wait?seq=${seq}&timeout=5000`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      ...{ type: 'parcel', id: 'p-1', seq: 1, processed: true },
      ...{ outcome: 'applied', final: true, status: 'active', value: 'AwaitingPayment' },
    });
    expect((await app.inject({ method: 'GET', url: '/convoys/parcel/p-1' })).json()).toMatchObject({
      seq: 1,
    });
  });

  it('answers 408 wait_timeout for a seq not accepted yet', async () => {
    await post('/convoys/parcel/p-1/events?wait=5000', { type: 'OrderPlaced' });
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/parcel/p-1/wait?seq=2&timeout=30' }),
      'wait_timeout',
    );
  });
});

describe('GET /convoy-types', () => {
  it('lists every registered type with its events', async () => {
    const response = await app.inject({ method: 'GET', url: '/convoy-types' });
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: Array<Record<string, unknown>> }>();
    expect(items.map((item) => item['type']).sort()).toEqual(['ledger', 'parcel']);
    expect(items.find((item) => item['type'] === 'parcel')).toMatchObject({
      version: 1,
      versions: [1],
      description: 'An order, shipped',
      events: expect.arrayContaining([
        'OrderPlaced',
        'PaymentConfirmed',
        'ItemsShipped',
        'OrderCanceled',
        'OrderCompleted',
      ]),
    });
  });

  it('describes one type: the gateway description (events, states, Mermaid, Stately code, graph) as JSON', async () => {
    const response = await app.inject({ method: 'GET', url: '/convoy-types/parcel' });
    expect(response.statusCode).toBe(200);
    const description = response.json<Record<string, unknown>>();
    expect(description).toEqual(JSON.parse(JSON.stringify(engine.describeType('parcel'))));
    expect(description).toMatchObject({
      type: 'parcel',
      version: 1,
      events: expect.arrayContaining(['OrderPlaced', 'ItemsShipped']),
      states: expect.arrayContaining([
        'New',
        'AwaitingPayment',
        'AwaitingShipment',
        'Shipped',
        'Completed',
        'Canceled',
      ]),
      mermaid: expect.stringMatching(/^stateDiagram-v2\n/),
      stately: expect.stringContaining('createMachine('),
      graph: expect.objectContaining({
        edges: expect.arrayContaining([expect.objectContaining({ event: 'OrderPlaced' })]),
      }),
    });
  });

  it('an unknown type is 404 unknown_convoy_type', async () => {
    expectError(await app.inject({ method: 'GET', url: '/convoy-types/invoice' }), 'unknown_convoy_type');
    expectError(
      await app.inject({ method: 'GET', url: '/convoy-types/not%20a%20type' }),
      'unknown_convoy_type',
    );
  });
});
