/**
 * `GET /convoys/:type/:id/wait-for` on the real engine (memory store): a state (nested, matched like
 * `snapshot.matches`), a tag (computed through the definition: xstate does not persist tags), or done;
 * 408 on timeout, 412 when the convoy finished without the condition.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { defineConvoy } from '@convoy/core';
import type { ConvoyEngine } from '@convoy/runtime';
import { setup } from 'xstate';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';

const shipmentMachine = setup({
  types: { events: {} as { type: 'Start' } | { type: 'Packed' } | { type: 'Loaded' } | { type: 'Cancel' } },
}).createMachine({
  id: 'shipment',
  initial: 'Waiting',
  states: {
    Waiting: { on: { Start: 'Shipping', Cancel: 'Canceled' } },
    Shipping: {
      tags: ['busy'],
      initial: 'Packing',
      states: {
        Packing: { tags: ['packing'], on: { Packed: 'Loading' } },
        Loading: { on: { Loaded: '#shipment.Delivered' } },
      },
    },
    Delivered: { type: 'final', tags: ['finished'] },
    Canceled: { type: 'final' },
  },
});
const shipment = defineConvoy({ type: 'shipment', machine: shipmentMachine });

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await memoryEngine([shipment]);
  app = buildConvoyApp({ gateway: engine });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

const send = async (id: string, type: string): Promise<void> => {
  const response = await app.inject({
    method: 'POST',
    url: `/convoys/shipment/${id}/events?wait=5000`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ type }),
  });
  expect(response.json()).toMatchObject({ processed: true });
};
const waitFor = (id: string, query: string) =>
  app.inject({ method: 'GET', url: `/convoys/shipment/${id}/wait-for?${query}` });

describe('GET /convoys/:type/:id/wait-for', () => {
  it('answers 200 with the view at once when a parent or nested state path already matches', async () => {
    await send('s-1', 'Start');
    for (const state of ['Shipping', 'Shipping.Packing']) {
      const response = await waitFor('s-1', `state=${state}&timeout=0`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: 's-1', value: { Shipping: 'Packing' }, status: 'active' });
    }
  });

  it('holds the request until an event processed later reaches the state', async () => {
    await send('s-1', 'Start');
    const pending = waitFor('s-1', 'state=Shipping.Loading&timeout=5000');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await send('s-1', 'Packed');
    const response = await pending;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ value: { Shipping: 'Loading' }, seq: 2 });
  });

  it('matches tags of the current state nodes (parent and child), though xstate does not persist tags', async () => {
    await send('s-1', 'Start');
    expect((await waitFor('s-1', 'tag=packing&timeout=0')).statusCode).toBe(200);
    expect((await waitFor('s-1', 'tag=busy&timeout=0')).statusCode).toBe(200);
    const pending = waitFor('s-1', 'tag=finished&timeout=5000');
    await send('s-1', 'Packed');
    await send('s-1', 'Loaded');
    expect((await pending).json()).toMatchObject({ value: 'Delivered', status: 'done' });
  });

  it('done=true answers once the convoy reached a final state', async () => {
    const pending = waitFor('s-1', 'done=true&timeout=5000');
    await send('s-1', 'Cancel');
    const response = await pending;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'done', value: 'Canceled' });
  });

  it('answers 408 wait_timeout when the condition does not hold in time', async () => {
    await send('s-1', 'Start');
    const started = Date.now();
    const response = await waitFor('s-1', 'state=Delivered&timeout=150');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(expectError(response, 'wait_timeout')).toContain('state Delivered');
  });

  it('answers 412 condition_unreachable when the convoy is done without the condition, also while waiting', async () => {
    await send('s-1', 'Cancel');
    expectError(await waitFor('s-1', 'state=Delivered&timeout=0'), 'condition_unreachable');
    await send('s-2', 'Start');
    const pending = waitFor('s-2', 'tag=packing&timeout=0');
    expect((await pending).statusCode).toBe(200);
    const never = waitFor('s-3', 'state=Shipping&timeout=5000');
    await send('s-3', 'Cancel');
    const started = Date.now();
    expectError(await never, 'condition_unreachable');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses bad conditions with 400 and unknown convoys with 404', async () => {
    await send('s-1', 'Start');
    for (const query of [
      '',
      'state=A&tag=b',
      'done=yes',
      'state=',
      'state=A&state=B',
      'state=A&timeout=-1',
    ]) {
      expectError(await waitFor('s-1', query), 'invalid_request');
    }
    expectError(await waitFor('s-1', 'state=A&extra=1'), 'invalid_request');
    expectError(await waitFor('nobody', 'done=true&timeout=0'), 'convoy_not_found');
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/nope/x/wait-for?done=true' }),
      'unknown_convoy_type',
    );
  });

  it('a pending wait ends (as a timeout) when the engine closes', async () => {
    await send('s-1', 'Start');
    const pending = engine.waitFor({ type: 'shipment', id: 's-1' }, { kind: 'done' }, 10_000);
    await engine.close();
    expect((await pending).outcome).toBe('timeout');
  });
});
