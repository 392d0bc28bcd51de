/**
 * Issue 12, item 1 on Redis: the same outcome tests, the HTTP node not processing (another engine, the
 * worker, does), so every answer comes from reading the store: the record, then the history's tail.
 */
import { randomUUID } from 'node:crypto';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../../runtime/test/redis/redis-server.ts';
import { buildConvoyApp } from '../src/index.ts';
import { gate, waitOutcomeTests } from './support/wait-outcome-suite.ts';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('waiting returns the outcome (Redis, a separate worker engine)', () => {
  waitOutcomeTests(async () => {
    const run = randomUUID().slice(0, 8);
    const parts = () => ({
      store: new RedisConvoyStore({ connection: server.url, prefix: `wo-${run}`, buckets: 4 }),
      scheduler: new BullmqTurnScheduler({ connection: server.url, queueName: `turns-${run}` }),
    });
    const edge = parts();
    const work = parts();
    const common = { definitions: [gate], logger: silentLogger, waitPollMs: 20 };
    const gateway = createConvoyEngine({ ...common, ...edge, processing: false });
    const worker = createConvoyEngine({ ...common, ...work, timerPollMs: 50, sweepMs: 200 });
    await gateway.start();
    await worker.start();
    const app = buildConvoyApp({ gateway });
    return {
      app,
      close: async () => {
        await app.close();
        await gateway.close();
        await worker.close();
        for (const { store, scheduler } of [edge, work]) {
          await scheduler.close();
          await store.close();
        }
      },
    };
  });
});
