/**
 * The fleet routes against the real engine on the memory store: `GET /fleet` counts from the indexes,
 * the last minute as this node counted it, and the bulk dead-letter actions, each recorded in its
 * convoy's history as the single action would be, one convoy's refusal not stopping the others.
 */
import { defineConvoy } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FleetItem } from '@convoy/core/wire';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { buildConvoyApp, createConvoyMetrics } from '../src/index.ts';
import { expectError } from './support/expect-error.ts';

/** A shipment that dead-letters early events. */
const shipment = defineConvoy({
  type: 'shipment',
  unexpected: 'deadLetter',
  machine: setup({
    types: { events: {} as { type: 'Booked' } | { type: 'PickedUp' } | { type: 'Delivered' } },
  }).createMachine({
    id: 'shipment',
    initial: 'New',
    states: {
      New: { on: { Booked: 'AwaitingPickup' } },
      AwaitingPickup: { on: { PickedUp: 'InTransit' } },
      InTransit: { on: { Delivered: 'Delivered' } },
      Delivered: { type: 'final' },
    },
  }),
});

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  const metrics = createConvoyMetrics();
  engine = createConvoyEngine({
    definitions: [shipment],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    metrics: metrics.sink,
    waitPollMs: 10,
  });
  await engine.start();
  app = buildConvoyApp({
    gateway: engine,
    metrics,
    auth: { operate: { tokens: [{ name: 'ops', token: 'ops-token' }] } },
  });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

async function send(id: string, event: string): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: `/convoys/shipment/${id}/events?wait=5000`,
    payload: { type: event },
  });
  expect(response.statusCode).toBe(202);
}

const operate = (url: string, body: object) =>
  app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { authorization: 'Bearer ops-token' },
  });

async function fleet(): Promise<FleetItem> {
  const response = await app.inject({ url: '/fleet' });
  expect(response.statusCode).toBe(200);
  return response.json<FleetItem>();
}

describe('GET /fleet', () => {
  it('counts convoys per status and with dead letters, and the events of the last minute', async () => {
    const before = await fleet();
    expect(before.items).toEqual([
      {
        type: 'shipment',
        version: 1,
        counts: { active: 0, done: 0, blocked: 0, stalled: 0, paused: 0 },
        deadLetterConvoys: 0,
        oldestWaitingAgeMs: null,
        lastMinute: { received: 0, processed: 0, scope: 'node' },
      },
    ]);
    await send('a', 'Booked');
    await send('b', 'PickedUp'); // dead-lettered: not accepted in New
    await send('b', 'Delivered'); // dead-lettered too: still one convoy with dead letters
    await send('c', 'Booked');
    await send('c', 'PickedUp');
    await send('c', 'Delivered'); // done
    const after = await fleet();
    expect(Date.parse(after.at)).toBeGreaterThanOrEqual(Date.parse(before.at));
    expect(after.items[0]).toMatchObject({
      counts: { active: 2, done: 1, blocked: 0, stalled: 0, paused: 0 },
      deadLetterConvoys: 1,
      oldestWaitingAgeMs: null,
      lastMinute: { received: 6, processed: 6 },
    });
  });

  it("shows how long the type's oldest unprocessed event has waited", async () => {
    await send('held', 'Booked');
    await engine.pauseConvoy({ type: 'shipment', id: 'held' });
    await engine.accept({ type: 'shipment', id: 'held', event: { type: 'PickedUp' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const age = (await fleet()).items[0]?.oldestWaitingAgeMs;
    expect(age).toBeGreaterThanOrEqual(50);
    expect(age).toBeLessThan(60_000);
    await engine.resumeConvoy({ type: 'shipment', id: 'held' });
    await engine.waitForSeq({ type: 'shipment', id: 'held' }, 2, 5000);
    expect((await fleet()).items[0]?.oldestWaitingAgeMs).toBeNull();
  });
});

describe('bulk dead-letter actions', () => {
  it('redrives several convoys, each in order and recorded, and reports a refusal per convoy', async () => {
    for (const id of ['x', 'y']) {
      await send(id, 'PickedUp');
      await send(id, 'Booked');
    }
    const response = await operate('/dead-letters/shipment/redrive', { ids: ['x', 'nobody', 'y'] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [
        { id: 'x', redriven: [{ seq: 1, newSeq: 3 }] },
        { id: 'nobody', error: { code: 'convoy_not_found', message: expect.any(String) } },
        { id: 'y', redriven: [{ seq: 1, newSeq: 3 }] },
      ],
    });
    await engine.waitForSeq({ type: 'shipment', id: 'y' }, 3, 5000);
    const history = (await engine.getHistory({ type: 'shipment', id: 'y' })) ?? [];
    expect(history.map((entry) => [entry.seq, entry.outcome])).toEqual([
      [1, 'deadLettered'],
      [2, 'applied'],
      [1, 'operator'],
      [3, 'applied'],
    ]);
    expect(history[2]).toMatchObject({ operator: { action: 'redrive', newSeq: 3, by: 'ops' } });
    expect((await fleet()).items[0]?.deadLetterConvoys).toBe(0);
  });

  it('discards letters, each recorded; an unknown letter is refused in its row', async () => {
    await send('z', 'PickedUp');
    await send('z', 'Delivered');
    const response = await operate('/dead-letters/shipment/discard', {
      letters: [
        { id: 'z', seq: 2 },
        { id: 'z', seq: 7 },
        { id: 'z', seq: 1 },
      ],
    });
    expect(response.json()).toEqual({
      items: [
        { id: 'z', seq: 2, discarded: true },
        {
          id: 'z',
          seq: 7,
          discarded: false,
          error: { code: 'dead_letter_not_found', message: expect.any(String) },
        },
        { id: 'z', seq: 1, discarded: true },
      ],
    });
    expect(await engine.getDeadLetters({ type: 'shipment', id: 'z' })).toEqual([]);
    const history = (await engine.getHistory({ type: 'shipment', id: 'z' })) ?? [];
    expect(history.filter((entry) => entry.outcome === 'operator').map((entry) => entry.seq)).toEqual([2, 1]);
  });

  it('refuses bad bodies, unknown types and callers without the operate token, changing nothing', async () => {
    await send('w', 'PickedUp');
    expectError(await operate('/dead-letters/shipment/redrive', { ids: [] }), 'invalid_request');
    expectError(await operate('/dead-letters/shipment/redrive', { ids: ['w', 'w'] }), 'invalid_request');
    expectError(
      await operate('/dead-letters/shipment/redrive', {
        ids: Array.from({ length: 101 }, (_, i) => `c${i}`),
      }),
      'invalid_request',
    );
    expectError(await operate('/dead-letters/shipment/redrive', { ids: [''] }), 'invalid_convoy_id');
    expectError(
      await operate('/dead-letters/shipment/discard', { letters: [{ id: 'w' }] }),
      'invalid_request',
    );
    expectError(await operate('/dead-letters/nope/redrive', { ids: ['w'] }), 'unknown_convoy_type');
    expectError(
      await app.inject({ method: 'POST', url: '/dead-letters/shipment/redrive', payload: { ids: ['w'] } }),
      'unauthorized',
    );
    // A page on another origin cannot drive a bulk action, even with the token and a JSON body.
    expectError(
      await app.inject({
        method: 'POST',
        url: '/dead-letters/shipment/discard',
        payload: { letters: [{ id: 'w', seq: 1 }] },
        headers: { authorization: 'Bearer ops-token', origin: 'https://evil.example' },
      }),
      'cross_site_request',
    );
    expect((await engine.getDeadLetters({ type: 'shipment', id: 'w' })).map((l) => l.seq)).toEqual([1]);
  });
});
