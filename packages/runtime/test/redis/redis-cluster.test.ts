/**
 * The Redis store on a real three-primary Redis Cluster: the whole store conformance suite passes, which
 * proves every script's keys share one slot (Cluster refuses cross-slot scripts with CROSSSLOT) and the
 * BullMQ queue works under its `{convoy}` hash-tag prefix. The store spreads convoys over several nodes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreConformance } from '@convoy/runtime/testing';
import { createConvoyEngine, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore, RedisKeys } from '@convoy/runtime/redis';
import { crashLedger } from './fixtures/ledger.ts';
import { startRedisCluster, type TestRedisCluster } from './redis-cluster.ts';

let cluster: TestRedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describeStoreConformance('redis cluster', async (options) => {
  const run = randomUUID().slice(0, 8);
  const client = cluster.client();
  const store = new RedisConvoyStore({ connection: client, prefix: `cl-${run}`, buckets: 16, ...options });
  const scheduler = new BullmqTurnScheduler({
    connection: cluster.client({ maxRetriesPerRequest: null }),
    queueName: `turns-${run}`,
    concurrency: 8,
  });
  return {
    store,
    scheduler,
    cleanup: async () => {
      await scheduler.close();
      await store.close();
      await client.quit();
    },
  };
});

describe('redis cluster layout', () => {
  it('spreads the buckets of convoys over all three primaries', async () => {
    const client = cluster.client();
    try {
      const keys = new RedisKeys({ buckets: 64 });
      const slots = await Promise.all(
        Array.from({ length: 64 }, (_, bucket) => client.cluster('KEYSLOT', keys.dirty(bucket))),
      );
      const ranges = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      const owners = new Set(
        slots.map((slot) => ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1] ?? -1),
      );
      expect(owners.size).toBe(3);
      // And a convoy's own keys are in its bucket's slot.
      const convoy = keys.convoy({ type: 'order', id: 'o:{1}' });
      const convoySlots = await Promise.all(
        [convoy.meta, convoy.inbox, convoy.state, convoy.history, convoy.dirty, convoy.due].map((key) =>
          client.cluster('KEYSLOT', key),
        ),
      );
      expect(new Set(convoySlots).size).toBe(1);
    } finally {
      await client.quit();
    }
  });
});

describe('redis cluster change feed', () => {
  it('the node publishes each commit (the feed is in another slot than the convoy): a watcher elsewhere sees it', async () => {
    const run = randomUUID().slice(0, 8);
    const client = cluster.client();
    const store = new RedisConvoyStore({ connection: client, prefix: `cf-${run}`, buckets: 16 });
    const reader = new RedisConvoyStore({ connection: cluster.client(), prefix: `cf-${run}`, buckets: 16 });
    const engine = createConvoyEngine({
      definitions: [crashLedger],
      store,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
    });
    const seen: string[] = [];
    const stop = reader.watchChanges('crash-ledger', {
      onChange: (key) => seen.push(key.id),
      onGap: () => undefined,
    });
    try {
      // Cluster refuses a script whose keys span slots: the commit scripts must not get the feed key.
      expect(store.publishesChanges).toBe(false);
      await engine.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const key = { type: 'crash-ledger', id: 'on-cluster' };
      await engine.accept({ ...key, event: { type: 'Add', n: 1 } });
      expect(await engine.waitForSeq(key, 1, 10_000)).toBe(true);
      await engine.pauseConvoy(key);
      const deadline = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(['on-cluster', 'on-cluster']);
      expect(await client.xlen(store.keys.changeFeed('crash-ledger'))).toBe(2);
    } finally {
      stop();
      await engine.close();
      await store.close();
      await reader.close();
      await client.quit();
    }
  }, 30_000);
});
