/**
 * The operator routes against the real engine on the memory store: listing, dead letters (redrive in
 * order, discard), pause / resume / retry, inbox / deferred / timers, history download.
 */
import { defineConvoy } from '@convoy/core';
import { blockedTurn } from '@convoy/core/engine';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { buildConvoyApp } from '../src/index.ts';
import { expectError } from './support/expect-error.ts';

/** A shipment that dead-letters early events and arms a timer while it waits for pickup. */
const shipmentMachine = setup({
  types: { events: {} as { type: 'Booked' } | { type: 'PickedUp' } | { type: 'Delivered' } },
}).createMachine({
  id: 'shipment',
  initial: 'New',
  states: {
    New: { on: { Booked: 'AwaitingPickup' } },
    AwaitingPickup: { after: { 60_000: 'Lost' }, on: { PickedUp: 'InTransit' } },
    InTransit: { on: { Delivered: 'Delivered' } },
    Delivered: { type: 'final' },
    Lost: { type: 'final' },
  },
});
export const shipment = defineConvoy({
  type: 'shipment',
  machine: shipmentMachine,
  unexpected: 'deadLetter',
});
const deferring = defineConvoy({ type: 'parcel', machine: shipmentMachine });

let store: MemoryConvoyStore;
let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  store = new MemoryConvoyStore();
  engine = createConvoyEngine({
    definitions: [shipment, deferring],
    store,
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    waitPollMs: 10,
  });
  await engine.start();
  app = buildConvoyApp({ gateway: engine });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

function send(type: string, id: string, event: string, wait = 5000): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/convoys/${type}/${id}/events?wait=${wait}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ type: event }),
  });
}

const get = (url: string): Promise<LightMyRequestResponse> => app.inject({ method: 'GET', url });
/** A body-less operator POST sends `X-Convoy-Request`, as the typed client does (no form could). */
const post = (url: string, body?: unknown): Promise<LightMyRequestResponse> =>
  app.inject({
    method: 'POST',
    url,
    ...(body === undefined
      ? { headers: { 'x-convoy-request': '1' } }
      : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
  });
const discard = (url: string): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'DELETE', url, headers: { 'x-convoy-request': '1' } });

describe('GET /convoys/:type', () => {
  it('lists convoys by status and state, newest first, in cursor pages', async () => {
    await send('shipment', 's-1', 'Booked');
    await send('shipment', 's-2', 'Booked');
    await send('shipment', 's-2', 'PickedUp');
    await send('shipment', 's-3', 'Booked');
    await send('shipment', 's-3', 'PickedUp');
    await send('shipment', 's-3', 'Delivered');

    const active = await get('/convoys/shipment?status=active');
    expect(active.statusCode).toBe(200);
    expect(
      active
        .json<{ items: Array<{ id: string }> }>()
        .items.map((v) => v.id)
        .sort(),
    ).toEqual(['s-1', 's-2']);
    const done = (await get('/convoys/shipment?status=done')).json<{
      items: Array<{ id: string; status: string }>;
    }>();
    expect(done.items).toMatchObject([{ id: 's-3', status: 'done' }]);
    const inTransit = (await get('/convoys/shipment?state=InTransit')).json<{
      items: Array<{ id: string }>;
    }>();
    expect(inTransit.items.map((v) => v.id)).toEqual(['s-2']);

    const seen: string[] = [];
    let url = '/convoys/shipment?limit=2';
    for (let i = 0; i < 5; i += 1) {
      const page = (await get(url)).json<{ items: Array<{ id: string }>; cursor: string | null }>();
      seen.push(...page.items.map((v) => v.id));
      if (page.cursor === null) break;
      url = `/convoys/shipment?limit=2&cursor=${encodeURIComponent(page.cursor)}`;
    }
    expect(seen.sort()).toEqual(['s-1', 's-2', 's-3']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await get(`/convoys/shipment?updatedAfter=${future}`)).json()).toEqual({
      items: [],
      cursor: null,
    });
  });

  it('refuses a bad status, limit, time or cursor with 400 and an unknown type with 404', async () => {
    expectError(await get('/convoys/shipment?status=sleeping'), 'invalid_request');
    expectError(await get('/convoys/shipment?limit=0'), 'invalid_request');
    expectError(await get('/convoys/shipment?updatedAfter=yesterday'), 'invalid_request');
    expectError(await get('/convoys/shipment?cursor=nope'), 'invalid_request');
    expectError(await get('/convoys/shipment?colour=red'), 'invalid_request');
    expectError(await get('/convoys/boat'), 'unknown_convoy_type');
  });
});

describe('dead letters', () => {
  async function twoDeadLetters(id: string): Promise<void> {
    await send('shipment', id, 'Booked');
    await send('shipment', id, 'Delivered');
    await send('shipment', id, 'Booked');
  }

  it('lists them per convoy and per type, with ISO times', async () => {
    await twoDeadLetters('d-1');
    const own = await get('/convoys/shipment/d-1/dead-letters');
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual({
      items: [
        expect.objectContaining({
          type: 'shipment',
          id: 'd-1',
          seq: 2,
          event: { type: 'Delivered' },
          reason: 'not_accepted_in_state',
        }),
        expect.objectContaining({ seq: 3, event: { type: 'Booked' } }),
      ],
    });
    expect(own.json<{ items: Array<{ at: string }> }>().items[0]?.at).toMatch(/Z$/);
    const byType = (await get('/dead-letters/shipment')).json<{
      items: Array<{ id: string; seq: number }>;
      cursor: null;
    }>();
    expect(byType.items.map((l) => [l.id, l.seq])).toEqual([
      ['d-1', 2],
      ['d-1', 3],
    ]);
    expectError(await get('/convoys/shipment/nobody/dead-letters'), 'convoy_not_found');
    expectError(await get('/dead-letters/boat'), 'unknown_convoy_type');
  });

  it('redrives one seq, then all the rest in order; each redrive is in the history', async () => {
    await twoDeadLetters('d-2');
    await send('shipment', 'd-2', 'PickedUp');
    const one = await post('/convoys/shipment/d-2/dead-letters/redrive', { seq: 2 });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ redriven: [{ seq: 2, newSeq: 5 }] });
    await engine.waitForSeq({ type: 'shipment', id: 'd-2' }, 5, 5000);
    expect((await get('/convoys/shipment/d-2')).json()).toMatchObject({ value: 'Delivered', status: 'done' });
    const rest = await post('/convoys/shipment/d-2/dead-letters/redrive');
    expect(rest.json()).toEqual({ redriven: [{ seq: 3, newSeq: 6 }] });
    await engine.waitForSeq({ type: 'shipment', id: 'd-2' }, 6, 5000);
    const history = (await get('/convoys/shipment/d-2/history')).json<{
      items: Array<Record<string, unknown>>;
    }>();
    expect(history.items.filter((e) => e['outcome'] === 'operator')).toMatchObject([
      { seq: 2, operator: { action: 'redrive', newSeq: 5 } },
      { seq: 3, operator: { action: 'redrive', newSeq: 6 } },
    ]);
    // The convoy is done now: the second redriven event is recorded as rejected, never lost.
    expect(history.items.at(-1)).toMatchObject({ seq: 6, outcome: 'rejected', reason: 'convoy_done' });
    expectError(
      await post('/convoys/shipment/d-2/dead-letters/redrive', { seq: 2 }),
      'dead_letter_not_found',
    );
  });

  it('refuses a redrive body other than nothing or {seq}', async () => {
    await twoDeadLetters('d-3');
    expectError(await post('/convoys/shipment/d-3/dead-letters/redrive', { seq: 0 }), 'invalid_request');
    expectError(await post('/convoys/shipment/d-3/dead-letters/redrive', { seqs: [2] }), 'invalid_request');
    expectError(await post('/convoys/shipment/d-3/dead-letters/redrive', [2]), 'invalid_request');
    const big = await post('/convoys/shipment/d-3/dead-letters/redrive', { seq: 2, pad: 'x'.repeat(2000) });
    expectError(big, 'payload_too_large');
    expectError(await post('/convoys/shipment/nobody/dead-letters/redrive'), 'convoy_not_found');
  });

  it('discards one dead letter with 204; a second discard is 404 dead_letter_not_found', async () => {
    await twoDeadLetters('d-4');
    const gone = await discard('/convoys/shipment/d-4/dead-letters/3');
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expectError(await discard('/convoys/shipment/d-4/dead-letters/3'), 'dead_letter_not_found');
    expectError(await discard('/convoys/shipment/d-4/dead-letters/x'), 'invalid_request');
    const left = (await get('/convoys/shipment/d-4/dead-letters')).json<{ items: Array<{ seq: number }> }>();
    expect(left.items.map((l) => l.seq)).toEqual([2]);
    const last = (await get('/convoys/shipment/d-4/history')).json<{ items: unknown[] }>().items.at(-1);
    expect(last).toMatchObject({ seq: 3, outcome: 'operator', operator: { action: 'discard' } });
  });
});

describe('pause, resume, retry', () => {
  it('a paused convoy accepts events without processing them until resumed', async () => {
    await send('shipment', 'p-1', 'Booked');
    const paused = await post('/convoys/shipment/p-1/pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', value: 'AwaitingPickup' });
    const accepted = await send('shipment', 'p-1', 'PickedUp', 50);
    expect(accepted.json()).toMatchObject({ seq: 2, processed: false });
    const inbox = (await get('/convoys/shipment/p-1/inbox')).json<{
      items: Array<Record<string, unknown>>;
    }>();
    expect(inbox.items).toMatchObject([{ seq: 2, event: { type: 'PickedUp' }, source: { kind: 'client' } }]);
    expectError(await post('/convoys/shipment/p-1/pause'), 'operation_not_allowed');

    expect((await post('/convoys/shipment/p-1/resume')).json()).toMatchObject({ status: 'active' });
    expect(await engine.waitForSeq({ type: 'shipment', id: 'p-1' }, 2, 5000)).toBe(true);
    expect((await get('/convoys/shipment/p-1')).json()).toMatchObject({
      value: 'InTransit',
      status: 'active',
    });
    expectError(await post('/convoys/shipment/p-1/resume'), 'operation_not_allowed');
    expectError(await post('/convoys/shipment/p-1/retry'), 'operation_not_allowed');
    expectError(await post('/convoys/shipment/nobody/pause'), 'convoy_not_found');
  });

  it('retry un-blocks a blocked convoy and processes its waiting head', async () => {
    await send('shipment', 'b-1', 'Booked');
    const key = { type: 'shipment', id: 'b-1' };
    // The engine's turn may still be releasing its lease: claim as soon as it is free.
    let claim = await store.claim(key, { owner: 'test', leaseMs: 1000, maxEvents: 1, now: Date.now() });
    for (let i = 0; claim === null && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      claim = await store.claim(key, { owner: 'test', leaseMs: 1000, maxEvents: 1, now: Date.now() });
    }
    await store.commit(claim!, blockedTurn(claim!.record!, 'operator test', Date.now()));
    await store.release(claim!);
    await send('shipment', 'b-1', 'PickedUp', 0);
    expect((await get('/convoys/shipment/b-1')).json()).toMatchObject({
      status: 'blocked',
      blockedReason: 'operator test',
    });
    const blocked = (await get('/convoys/shipment?status=blocked')).json<{ items: Array<{ id: string }> }>();
    expect(blocked.items.map((v) => v.id)).toEqual(['b-1']);

    const retried = await post('/convoys/shipment/b-1/retry');
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).not.toHaveProperty('blockedReason');
    expect(await engine.waitForSeq(key, 2, 5000)).toBe(true);
    expect((await get('/convoys/shipment/b-1')).json()).toMatchObject({
      status: 'active',
      value: 'InTransit',
    });
  });
});

describe('inbox, deferred, timers, history download', () => {
  it('shows deferred events and armed timers with ISO times', async () => {
    await send('parcel', 'q-1', 'Booked');
    await send('parcel', 'q-1', 'Delivered');
    const deferred = (await get('/convoys/parcel/q-1/deferred')).json<{
      items: Array<Record<string, unknown>>;
    }>();
    expect(deferred.items).toMatchObject([{ seq: 2, event: { type: 'Delivered' } }]);
    expect(deferred.items[0]?.['deferredAt']).toMatch(/Z$/);
    const timers = (await get('/convoys/parcel/q-1/timers')).json<{
      items: Array<Record<string, unknown>>;
    }>();
    expect(timers.items).toHaveLength(1);
    expect(Date.parse(String(timers.items[0]?.['dueAt']))).toBeGreaterThan(Date.now());
    expect((await get('/convoys/parcel/q-1/inbox')).json()).toEqual({ items: [] });
    for (const part of ['inbox', 'deferred', 'timers']) {
      expectError(await get(`/convoys/parcel/nobody/${part}`), 'convoy_not_found');
    }
    expectError(await get('/convoys/parcel/q-1/inbox?limit=501'), 'invalid_request');
  });

  it('?download=1 sends the history as an attachment', async () => {
    await send('parcel', 'q-2', 'Booked');
    const file = await get('/convoys/parcel/q-2/history?download=1');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="parcel-q-2-history.json"');
    expect(file.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await get('/convoys/parcel/q-2/history')).headers['content-disposition']).toBeUndefined();
    expectError(await get('/convoys/parcel/q-2/history?download=yes'), 'invalid_request');
  });
});
