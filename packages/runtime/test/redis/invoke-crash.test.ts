/**
 * Invoked work under worker crashes, on Redis with real worker processes: the invoke is an effect of
 * the commit that entered its state, so a worker killed while the carrier call is in flight leaves it in
 * the outbox and another worker runs it again (at least once); the result enters the inbox under the
 * idempotency key `effect:<id>`, so however often it ran, the machine takes it exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { ConvoyKey, HistoryEntry } from '@convoy/core';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courierConvoy } from './fixtures/courier.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';
import { kill9, sleep, spawnFixtureWorker, until, type FixtureWorker } from './worker-process.ts';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('redis: invoked work under worker crashes', () => {
  it('an invoke interrupted by kill -9 runs again on another worker and its result is applied exactly once', async () => {
    const run = randomUUID().slice(0, 8);
    const prefix = `invoke-${run}`;
    const queue = `invoke-${run}`;
    const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 8 });
    const scheduler = new BullmqTurnScheduler({ connection: server.url, queueName: queue });
    // The producer only accepts; its carrier is never called.
    const producer = createConvoyEngine({
      definitions: [courierConvoy(async () => undefined)],
      store,
      scheduler,
      processing: false,
      logger: silentLogger,
    });
    await producer.start();
    const spawn = (id: string) => spawnFixtureWorker('invoke-worker.ts', [server.url, prefix, queue, id]);
    const workers: FixtureWorker[] = [spawn('w0'), spawn('w1')];
    try {
      const keys: ConvoyKey[] = Array.from({ length: 16 }, (_, i) => ({ type: 'courier', id: `k${i}` }));
      for (const key of keys) await producer.accept({ ...key, event: { type: 'Ship', parcel: key.id } });
      // Three times: as soon as a carrier call (300 ms) has started, kill -9 every worker and start new ones.
      const callsKey = `${prefix}:test:calls`;
      const totalCalls = async () =>
        Object.values(await store.client.hgetall(callsKey)).reduce((sum, n) => sum + Number(n), 0);
      let spawned = 2;
      for (let round = 0; round < 3; round += 1) {
        const before = await totalCalls();
        await until(totalCalls, (n) => n > before, 30_000);
        for (const index of workers.keys()) {
          await kill9(workers[index]!);
          workers[index] = spawn(`w${spawned++}`);
        }
      }
      const records = () => Promise.all(keys.map(async (key) => (await store.get(key))?.record));
      await until(records, (all) => all.every((r) => r?.value === 'shipped'), 40_000);
      await sleep(1_000); // room for a late duplicate result to show up, if there were one

      const calls = await store.client.hgetall(callsKey);
      let reruns = 0;
      for (const key of keys) {
        const history = (await producer.getHistory(key)) as HistoryEntry[];
        expect(history.map((h) => `${h.seq} ${h.event.type} ${h.outcome}`)).toEqual([
          '1 Ship applied',
          '2 xstate.done.actor.carrier applied',
        ]);
        expect((await store.get(key))?.accepted).toBe(2);
        expect((await store.get(key))?.record?.context).toEqual({
          parcel: key.id,
          tracking: `TRACK-${key.id}`,
        });
        const n = Number(calls[key.id] ?? 0);
        expect(n).toBeGreaterThanOrEqual(1);
        reruns += n - 1;
      }
      expect((await store.dirtyConvoys(100)).items).toEqual([]);
      // The kills really interrupted calls in flight: some invokes ran more than once.
      expect(reruns).toBeGreaterThan(0);
      console.log(
        `invoke crash: ${keys.length} invokes, 3 rounds killing every worker mid-call, ${reruns} re-runs after a crash, every result applied exactly once`,
      );
    } finally {
      for (const worker of workers) await kill9(worker);
      await producer.close();
      await scheduler.close();
      await store.close();
    }
  }, 120_000);
});
