/**
 * Convoy on Redis, driven through the engine API (no HTTP): the Redis store (Lua accept / claim /
 * commit / release) and BullMQ turn wake-ups, on the bench's server, in this process.
 */
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { Redis } from 'ioredis';
import type { Contender, ContenderInstance, ContenderTarget } from './contender.ts';
import { connectionOf } from './bullmq-noop.ts';
import { convoyInstance } from './convoy-engine.ts';

/** The Redis store and BullMQ scheduler of one instance, and how to close what they opened. */
export function openConvoyRedisParts(target: ContenderTarget): {
  readonly store: RedisConvoyStore;
  readonly scheduler: BullmqTurnScheduler;
  readonly close: () => Promise<void>;
} {
  const client = new Redis(target.redisUrl, { maxRetriesPerRequest: 3 });
  const store = new RedisConvoyStore({ connection: client, prefix: target.prefix });
  const { host, port } = connectionOf(target.redisUrl);
  const scheduler = new BullmqTurnScheduler({
    connection: { host, port },
    prefix: `{${target.prefix}-turns}`,
    concurrency: target.concurrency,
  });
  return {
    store,
    scheduler,
    async close() {
      await store.close();
      client.disconnect();
    },
  };
}

async function openConvoyRedis(target: ContenderTarget): Promise<ContenderInstance> {
  const parts = openConvoyRedisParts(target);
  return convoyInstance(target, parts.store, parts.scheduler, parts.close);
}

async function openConvoyRedisLocal(target: ContenderTarget): Promise<ContenderInstance> {
  const parts = openConvoyRedisParts(target);
  return convoyInstance(target, parts.store, parts.scheduler, parts.close, {
    localTurns: target.concurrency,
  });
}

/**
 * The same with local turns (engine `localTurns` = concurrency): a convoy woken by this process's own
 * accept is processed here without a BullMQ job, as in `convoy serve` (HTTP and worker in one process).
 */
export const convoyRedisLocal: Contender = {
  id: 'convoy-redis-local',
  name: 'Convoy on Redis, local turns',
  ordered: true,
  stateful: true,
  usesRedis: true,
  open: openConvoyRedisLocal,
};

/** Convoy, Redis store, engine API. */
export const convoyRedis: Contender = {
  id: 'convoy-redis',
  name: 'Convoy on Redis (engine API)',
  ordered: true,
  stateful: true,
  usesRedis: true,
  open: openConvoyRedis,
};
