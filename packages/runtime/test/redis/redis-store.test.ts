/**
 * The Redis store against a private redis-server (AOF always, noeviction): the shared store conformance
 * suite, then what only Redis can get wrong (scripts lost from the cache, scripts re-sent after a
 * reconnect, keys spread over Cluster slots, an evicting Redis).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeStoreConformance } from '@convoy/runtime/testing';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

describeStoreConformance('redis', async (options) => {
  const run = randomUUID().slice(0, 8);
  const store = new RedisConvoyStore({ connection: server.url, prefix: `cf-${run}`, buckets: 8, ...options });
  const scheduler = new BullmqTurnScheduler({
    connection: server.url,
    queueName: `turns-${run}`,
    concurrency: 8,
  });
  return {
    store,
    scheduler,
    cleanup: async () => {
      await scheduler.close();
      await store.close();
    },
  };
});
