/**
 * Retention on the Redis store (private redis-server): Redis expires a finished convoy's keys. Invoked
 * work, timers, poison events, stalls and versions run on Redis in the store conformance suite
 * (`redis-store.test.ts`, section "time and trouble").
 */
import { randomUUID } from 'node:crypto';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createConvoyTestKit,
  FlakyCarrier,
  shipmentConvoy,
  type ConvoyTestKit,
} from '@convoy/runtime/testing';
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

describe('redis: retention', () => {
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
