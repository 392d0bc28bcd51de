/**
 * Convoy on Redis, driven through the engine API (no HTTP): the Redis store (Lua accept / claim /
 * commit / release) and BullMQ turn wake-ups, on the bench's server, in this process.
 */
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { Redis } from 'ioredis';
import type { Contender, ContenderInstance, ContenderTarget } from './contender.ts';
import { connectionOf } from './bullmq-noop.ts';
import { convoyInstance } from './convoy-engine.ts';

async function openConvoyRedis(target: ContenderTarget): Promise<ContenderInstance> {
  const client = new Redis(target.redisUrl, { maxRetriesPerRequest: 3 });
  const store = new RedisConvoyStore({ connection: client, prefix: target.prefix });
  const { host, port } = connectionOf(target.redisUrl);
  const scheduler = new BullmqTurnScheduler({
    connection: { host, port },
    prefix: `{${target.prefix}-turns}`,
    concurrency: target.concurrency,
  });
  return convoyInstance(target, store, scheduler, async () => {
    await store.close();
    client.disconnect();
  });
}

/** Convoy, Redis store, engine API. */
export const convoyRedis: Contender = {
  name: 'Convoy on Redis (engine API)',
  ordered: true,
  stateful: true,
  usesRedis: true,
  open: openConvoyRedis,
};
