/**
 * Time and trouble on the Redis store (private redis-server, AOF always): invoked work, poison events,
 * stalls, versions and retention, driven by the test kit's simulated clock over a real Redis.
 */
import { randomUUID } from 'node:crypto';
import { defineConvoy } from '@convoy/core';
import type { JsonValue } from '@convoy/core';
import { createConvoyEngine, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { createConvoyTestKit, type ConvoyTestKit } from '@convoy/runtime/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { FlakyCarrier, shipmentConvoy, shipmentTimeoutMs } from '../support/trouble-convoys.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;
let store: RedisConvoyStore;
let kit: ConvoyTestKit | undefined;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await kit?.close();
  kit = undefined;
  await store?.close();
});

function kitOn(definitions: Parameters<typeof createConvoyTestKit>[0]['definitions']): ConvoyTestKit {
  store = new RedisConvoyStore({
    connection: server.url,
    prefix: `tt-${randomUUID().slice(0, 8)}`,
    buckets: 4,
  });
  kit = createConvoyTestKit({ definitions, store });
  return kit;
}

const lines = async (k: ConvoyTestKit, type: string, id: string) =>
  (await k.history(type, id)).map(
    (h) => `${h.seq} ${h.event.type} ${h.outcome}${h.reason ? ` ${h.reason}` : ''}`,
  );

describe('redis: time and trouble', () => {
  it('an invoked promise that fails twice succeeds on the third try and its result is applied once', async () => {
    const carrier = new FlakyCarrier(2);
    const k = kitOn([shipmentConvoy(carrier)]);
    await k.send('shipment', 'r1', { type: 'Ship', parcel: 'p1' });
    expect(carrier.calls.get('p1')).toBe(3);
    expect(await k.get('shipment', 'r1')).toMatchObject({
      value: 'shipped',
      context: { tracking: 'TRACK-p1' },
    });
    expect(await lines(k, 'shipment', 'r1')).toEqual([
      '1 Ship applied',
      '2 xstate.done.actor.carrierCall applied',
    ]);
    // Nothing left behind: no outbox entry, no dirty mark.
    expect(await k.store.dirtyConvoys(100)).toEqual([]);
  });

  it('a cancelled timer never fires; a due one fires once', async () => {
    const k = kitOn([shipmentConvoy(new FlakyCarrier(0))]);
    await k.send('shipment', 'r2', { type: 'Wait' });
    await k.send('shipment', 'r2', { type: 'Cancel' });
    await k.send('shipment', 'r3', { type: 'Wait' });
    expect(await k.advance(shipmentTimeoutMs * 2)).toBe(1);
    expect(await lines(k, 'shipment', 'r2')).toEqual(['1 Wait applied', '2 Cancel applied']);
    expect(await lines(k, 'shipment', 'r3')).toEqual([
      '1 Wait applied',
      '2 xstate.after.60000.shipment.waiting applied',
    ]);
  });

  it('a poison event lands in the dead letters after N tries and the convoy goes on', async () => {
    const definition = shipmentConvoy(
      new FlakyCarrier(0),
      { poison: { attempts: 3, retryDelayMs: 100 } },
      { on: true },
    );
    const k = kitOn([definition]);
    await k.send('shipment', 'r4', { type: 'Poke' });
    await k.send('shipment', 'r4', { type: 'Wait' });
    expect((await k.get('shipment', 'r4'))?.seq).toBe(0);
    await k.advance(100);
    expect(await k.deadLetters('shipment', 'r4')).toEqual([]);
    await k.advance(200);
    const letters = await k.deadLetters('shipment', 'r4');
    expect(letters).toMatchObject([{ seq: 1, reason: 'handler_error', event: { type: 'Poke' } }]);
    expect(await lines(k, 'shipment', 'r4')).toEqual(['1 Poke deadLettered handler_error', '2 Wait applied']);
  });

  it('a stalled convoy is escalated exactly once', async () => {
    const definition = shipmentConvoy(new FlakyCarrier(0), { stall: { idleMs: 5000, escalate: 'Stalled' } });
    const k = kitOn([definition]);
    await k.send('shipment', 'r5', { type: 'Poke' });
    await k.advance(5000);
    expect(await k.get('shipment', 'r5')).toMatchObject({ status: 'stalled', value: 'poked' });
    await k.advance(120_000);
    const escalations = (await k.history('shipment', 'r5')).filter((h) => h.event.type === 'Stalled');
    expect(escalations).toHaveLength(1);
    expect((await k.get('shipment', 'r5'))?.status).toBe('stalled');
    // Listed by status (the index is written by the same commit).
    const page = await k.engine.listConvoys({ type: 'shipment', status: 'stalled' });
    expect(page.items.map((item) => item.id)).toEqual(['r5']);
  });

  it('a version mismatch gives blocked, and a registered migration un-blocks it', async () => {
    const v1 = createMachine({
      id: 'doc',
      initial: 'draft',
      states: {
        draft: { on: { Submit: 'review' } },
        review: { on: { Approve: 'done' } },
        done: { type: 'final' },
      },
    });
    const v2 = createMachine({
      id: 'doc',
      initial: 'writing',
      states: {
        writing: { on: { Submit: 'checking' } },
        checking: { on: { Approve: 'published' } },
        published: { type: 'final' },
      },
    });
    const k = kitOn([defineConvoy({ type: 'doc', machine: v1, version: 1 })]);
    await k.send('doc', 'r6', { type: 'Submit' });
    const key = { type: 'doc', id: 'r6' };
    const engineOn = (definition: ReturnType<typeof defineConvoy>) =>
      createConvoyEngine({
        definitions: [definition],
        store: k.store,
        clock: k.clock,
        scheduler: new MemoryTurnScheduler(),
        logger: silentLogger,
      });
    const bare = engineOn(defineConvoy({ type: 'doc', machine: v2, version: 2 }));
    await bare.accept({ ...key, event: { type: 'Approve' } });
    await bare.runTurn(key);
    expect(await bare.getConvoy(key)).toMatchObject({ status: 'blocked', version: 1, seq: 1 });
    const migrate = (snapshot: JsonValue): JsonValue =>
      ({ ...(snapshot as object), value: 'checking' }) as JsonValue;
    const migrating = engineOn(defineConvoy({ type: 'doc', machine: v2, version: 2, migrate }));
    await migrating.runTurn(key);
    expect(await migrating.getConvoy(key)).toMatchObject({
      status: 'done',
      version: 2,
      value: 'published',
      seq: 2,
    });
  });

  it('a finished convoy expires with all its keys after the retention (Redis EXPIRE at the finishing commit)', async () => {
    const definition = shipmentConvoy(new FlakyCarrier(0), { retention: { finishedMs: 300 } });
    const k = kitOn([definition]);
    await k.send('shipment', 'r7', { type: 'Wait' });
    await k.send('shipment', 'r7', { type: 'Cancel' });
    expect((await k.get('shipment', 'r7'))?.status).toBe('done');
    const keys = store.keys.convoy({ type: 'shipment', id: 'r7' });
    const ttl = await store.client.pttl(keys.meta);
    expect(ttl).toBeGreaterThan(0);
    expect(await store.client.pttl(keys.history)).toBeGreaterThan(0);
    expect(await store.client.pttl(keys.state)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await k.get('shipment', 'r7')).toBeNull();
    expect(await store.client.exists(keys.meta, keys.state, keys.history, keys.inbox)).toBe(0);
  });
});
