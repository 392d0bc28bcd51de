/**
 * The wait-outcome suite (issue 12, item 1), run on the memory store and on Redis: a wait answers with
 * what happened to the event (applied, deferred, rejected, dead-lettered, ignored, with the reason) and
 * the convoy's status and state after its turn; with `final=1` a deferred event is waited on until it
 * is applied or refused.
 */
import { defineConvoy } from '@convoy/core';
import type { AcceptedItem, ConvoyDefinition, WaitItem } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parcel } from './convoys.ts';
import { expectError } from './expect-error.ts';

/**
 * The parcel machine with a policy per outcome: OrderPlaced again is ignored, early shipping
 * dead-lettered, the rest deferred.
 */
export const gate: ConvoyDefinition = defineConvoy({
  type: 'gate',
  machine: parcel.machine,
  unexpected: { OrderPlaced: 'ignore', ItemsShipped: 'deadLetter', '*': 'defer' },
});

/** The outcome tests, on whatever gateway `setup` builds (memory store, or Redis with a separate worker). */
export function waitOutcomeTests(setup: () => Promise<{ app: FastifyInstance; close: () => Promise<void> }>) {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ app, close } = await setup());
  });
  afterEach(async () => {
    await close();
  });

  const send = async (id: string, event: object, query = '?wait=5000'): Promise<AcceptedItem> => {
    const response = await app.inject({
      method: 'POST',
      url: `/convoys/gate/${id}/events${query}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(event),
    });
    expect(response.statusCode).toBe(202);
    return response.json<AcceptedItem>();
  };

  /** Resolves once the convoy holds `count` deferred events. */
  const deferredCount = async (id: string, count: number): Promise<void> => {
    for (let tries = 0; tries < 500; tries += 1) {
      const view = (await app.inject({ url: `/convoys/gate/${id}` })).json<{ deferred?: number }>();
      if (view.deferred === count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`convoy ${id} never held ${count} deferred events`);
  };

  it('applied: the receipt says so, with the status and state the event led to', async () => {
    expect(await send('g-1', { type: 'OrderPlaced' })).toEqual({
      type: 'gate',
      id: 'g-1',
      seq: 1,
      duplicate: false,
      processed: true,
      outcome: 'applied',
      final: true,
      status: 'active',
      value: 'AwaitingPayment',
    });
  });

  it('deferred: the receipt says the event is held (final false), and why', async () => {
    expect(await send('g-2', { type: 'PaymentConfirmed', amount: 5 })).toMatchObject({
      processed: true,
      outcome: 'deferred',
      reason: 'not_accepted_in_state',
      final: false,
      status: 'active',
      value: 'New',
    });
  });

  it('rejected: an event for a finished convoy is refused with convoy_done, status done', async () => {
    await send('g-3', { type: 'OrderPlaced' });
    expect(await send('g-3', { type: 'OrderCanceled' })).toMatchObject({
      outcome: 'applied',
      status: 'done',
      value: 'Canceled',
    });
    expect(await send('g-3', { type: 'OrderCompleted' })).toMatchObject({
      seq: 3,
      processed: true,
      outcome: 'rejected',
      reason: 'convoy_done',
      final: true,
      status: 'done',
      value: 'Canceled',
    });
  });

  it('deadLettered and ignored: each with the policy reason, the state unchanged', async () => {
    expect(await send('g-4', { type: 'ItemsShipped', carrier: 'ups' })).toMatchObject({
      outcome: 'deadLettered',
      reason: 'not_accepted_in_state',
      final: true,
      value: 'New',
    });
    await send('g-4', { type: 'OrderPlaced' });
    expect(await send('g-4', { type: 'OrderPlaced' })).toMatchObject({
      outcome: 'ignored',
      reason: 'not_accepted_in_state',
      final: true,
      value: 'AwaitingPayment',
    });
  });

  it('final=1 waits past the deferral until the event is applied', async () => {
    const waiting = send('g-5', { type: 'PaymentConfirmed', amount: 7 }, '?wait=10000&final=1');
    await deferredCount('g-5', 1);
    await send('g-5', { type: 'OrderPlaced' }, '');
    expect(await waiting).toMatchObject({
      seq: 1,
      processed: true,
      outcome: 'applied',
      final: true,
      status: 'active',
      value: 'AwaitingShipment',
    });
  });

  it('final=1 waits past the deferral until the event is refused when the convoy finishes', async () => {
    await send('g-6', { type: 'OrderPlaced' });
    const waiting = send('g-6', { type: 'OrderCompleted' }, '?wait=10000&final=1');
    await deferredCount('g-6', 1);
    await send('g-6', { type: 'OrderCanceled' }, '');
    expect(await waiting).toMatchObject({
      seq: 2,
      outcome: 'rejected',
      reason: 'convoy_done',
      final: true,
      status: 'done',
      value: 'Canceled',
    });
  });

  it('final=1 still deferred at the timeout answers deferred, final false', async () => {
    expect(await send('g-7', { type: 'OrderCompleted' }, '?wait=100&final=1')).toMatchObject({
      processed: true,
      outcome: 'deferred',
      final: false,
      value: 'New',
    });
  });

  it('GET /wait answers the outcome too; with final=1 it follows the deferred event to its end', async () => {
    await send('g-8', { type: 'PaymentConfirmed', amount: 9 }, '');
    const wait = async (query: string): Promise<WaitItem> => {
      const response = await app.inject({ url: `/convoys/gate/g-8/wait?seq=1&timeout=10000${query}` });
      expect(response.statusCode).toBe(200);
      return response.json<WaitItem>();
    };
    expect(await wait('')).toMatchObject({ seq: 1, processed: true, outcome: 'deferred', final: false });
    const final = wait('&final=1');
    await send('g-8', { type: 'OrderPlaced' }, '');
    expect(await final).toEqual({
      type: 'gate',
      id: 'g-8',
      seq: 1,
      processed: true,
      outcome: 'applied',
      final: true,
      status: 'active',
      value: 'AwaitingShipment',
    });
    // Waiting again for a decided event answers at once, with its final outcome.
    expect(await wait('&final=1')).toMatchObject({ outcome: 'applied', final: true });
  });

  it('final without wait is 400 invalid_request and nothing is accepted', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/gate/g-9/events?final=1',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"OrderPlaced"}',
    });
    expectError(response, 'invalid_request');
    expectError(await app.inject({ url: '/convoys/gate/g-9' }), 'convoy_not_found');
    expectError(
      await app.inject({
        method: 'POST',
        url: '/convoys/gate/g-9/events?wait=10&final=yes',
        headers: { 'content-type': 'application/json' },
        payload: '{"type":"OrderPlaced"}',
      }),
      'invalid_request',
    );
  });
}
