/**
 * Redis Cluster, many workers: three engines (each with its own store and BullMQ clients, as three worker
 * processes would have) share a three-primary Cluster while producers send through two of them. Every
 * convoy must apply its events exactly once, in acceptance order, with no gaps: the multi-worker ordering
 * run that proves users can outgrow one Redis without giving up the convoy guarantees.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { defineConvoy } from '@convoy/core';
import type { ConvoyKey } from '@convoy/core';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { startRedisCluster, type TestRedisCluster } from './redis-cluster.ts';

/** A convoy that remembers the `n` of every event it applied, in the order it applied them. */
const ledger = defineConvoy({
  type: 'ledger',
  machine: setup({
    types: { context: {} as { applied: number[] }, events: {} as { type: 'Entry'; n: number } },
  }).createMachine({
    id: 'ledger',
    context: { applied: [] },
    on: { Entry: { actions: assign({ applied: ({ context, event }) => [...context.applied, event.n] }) } },
  }),
});

const convoys = 24;
const eventsPerConvoy = 15;
const producers = 6;

let cluster: TestRedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('redis cluster with three workers', () => {
  it('applies every convoy in acceptance order, once, while three engines share the work', async () => {
    const run = randomUUID().slice(0, 8);
    const engines: ConvoyEngine[] = [];
    const closers: Array<() => Promise<void>> = [];
    try {
      for (let worker = 0; worker < 3; worker += 1) {
        const client = cluster.client();
        const store = new RedisConvoyStore({ connection: client, prefix: `ord-${run}`, buckets: 16 });
        const scheduler = new BullmqTurnScheduler({
          connection: cluster.client({ maxRetriesPerRequest: null }),
          queueName: `turns-${run}`,
          concurrency: 8,
        });
        const engine = createConvoyEngine({
          definitions: [ledger],
          store,
          scheduler,
          logger: silentLogger,
          workerId: `worker-${worker}`,
          sweepMs: 500,
        });
        await engine.start();
        engines.push(engine);
        closers.push(async () => {
          await engine.close();
          await store.close();
          await client.quit();
        });
      }
      const keyOf = (index: number): ConvoyKey => ({ type: 'ledger', id: `c-${index}` });

      // Each producer owns some convoys and sends their events in order, alternating the two
      // "HTTP" engines; the seq it gets back is the acceptance order the convoy must follow.
      const acceptedOrder = new Map<string, number[]>();
      await Promise.all(
        Array.from({ length: producers }, async (_, producer) => {
          for (let n = 1; n <= eventsPerConvoy; n += 1) {
            for (let index = producer; index < convoys; index += producers) {
              const key = keyOf(index);
              const via = engines[(n + index) % 2]!;
              const receipt = await via.accept({ ...key, event: { type: 'Entry', n } });
              const order = acceptedOrder.get(key.id) ?? [];
              order[receipt.seq - 1] = n;
              acceptedOrder.set(key.id, order);
            }
          }
        }),
      );

      for (let index = 0; index < convoys; index += 1) {
        const key = keyOf(index);
        expect(await engines[2]!.waitForSeq(key, eventsPerConvoy, 60_000)).toBe(true);
        const view = await engines[2]!.getConvoy(key);
        const history = (await engines[2]!.getHistory(key)) ?? [];
        expect(history.map((entry) => entry.seq)).toEqual(
          Array.from({ length: eventsPerConvoy }, (_, i) => i + 1),
        );
        expect(history.every((entry) => entry.outcome === 'applied')).toBe(true);
        expect((view?.context as { applied: number[] }).applied).toEqual(acceptedOrder.get(key.id));
      }
    } finally {
      for (const close of closers) await close();
    }
  }, 180_000);
});
