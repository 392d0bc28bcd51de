/**
 * Durable time on Redis, with real worker processes and the real clock: timers armed by `after` live in
 * the convoy's record and the bucket's due ZSET (written by the same commit script), so they survive
 * kill -9 of every worker and a kill -9 + AOF restart of redis-server. After the outage the overdue
 * timers fire once, late; cancelled timers never fire.
 */
import { randomUUID } from 'node:crypto';
import type { ConvoyKey, HistoryEntry } from '@convoy/core';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmConvoy } from './fixtures/alarm.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';
import { kill9, sleep, spawnFixtureWorker, until, type FixtureWorker } from './worker-process.ts';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

const spawnWorker = (prefix: string, queue: string, id: string): FixtureWorker =>
  spawnFixtureWorker('timer-worker.ts', [server.url, prefix, queue, id]);

describe('redis: durable timers under faults', () => {
  it('a timer survives kill -9 of every worker and a Redis restart, fires exactly once (late); a cancelled timer never fires', async () => {
    const run = randomUUID().slice(0, 8);
    const prefix = `timers-${run}`;
    const queue = `timers-${run}`;
    const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 8 });
    const scheduler = new BullmqTurnScheduler({ connection: server.url, queueName: queue });
    const producer = createConvoyEngine({
      definitions: [alarmConvoy],
      store,
      scheduler,
      processing: false,
      logger: silentLogger,
    });
    await producer.start();
    const workers: FixtureWorker[] = [];
    try {
      workers.push(spawnWorker(prefix, queue, 'w0'), spawnWorker(prefix, queue, 'w1'));
      const armed: ConvoyKey[] = Array.from({ length: 12 }, (_, i) => ({ type: 'alarm', id: `a${i}` }));
      const cancelled: ConvoyKey[] = Array.from({ length: 6 }, (_, i) => ({ type: 'alarm', id: `c${i}` }));
      const delayMs = 3_000;
      for (const key of [...armed, ...cancelled])
        await producer.accept({ ...key, event: { type: 'Arm', ms: delayMs } });
      for (const key of cancelled) await producer.accept({ ...key, event: { type: 'Disarm' } });
      const records = async () =>
        Promise.all([...armed, ...cancelled].map(async (key) => (await store.get(key))?.record));
      const processed = await until(
        records,
        (all) => all.every((r, i) => r?.processedSeq === (i < armed.length ? 1 : 2)),
        15_000,
      );
      const dueAt = new Map(armed.map((key, i) => [key.id, Object.values(processed[i]!.timers)[0]!.dueAt]));
      expect(dueAt.size).toBe(armed.length);

      // The outage: every worker killed, then redis-server killed and restarted from its AOF.
      for (const worker of workers) await kill9(worker);
      await server.kill9();
      await server.restart();
      const afterRestart = await until(
        async () => (await store.dueTimers(Number.MAX_SAFE_INTEGER, 1000)).items,
        (due) => due.length >= armed.length,
        10_000,
      );
      expect(afterRestart.map((d) => d.key.id).sort()).toEqual(armed.map((k) => k.id).sort());

      // Nobody runs while the deadline passes: the timers are overdue, nothing has fired.
      const latest = Math.max(...dueAt.values());
      await sleep(Math.max(0, latest - Date.now()) + 1_000);
      const idle = await records();
      expect(idle.slice(0, armed.length).every((r) => r?.value === 'armed')).toBe(true);

      // New workers come up, and keep being killed while the overdue timers fire.
      const resumedAt = Date.now();
      workers.length = 0;
      workers.push(spawnWorker(prefix, queue, 'w2'), spawnWorker(prefix, queue, 'w3'));
      let spawned = 4;
      for (let kill = 0; kill < 3; kill += 1) {
        await sleep(700);
        const index = kill % 2;
        await kill9(workers[index]!);
        workers[index] = spawnWorker(prefix, queue, `w${spawned++}`);
      }
      await until(records, (all) => all.slice(0, armed.length).every((r) => r?.value === 'rang'), 30_000);
      await sleep(1_500); // room for a duplicate firing to show up, if there were one

      for (const key of armed) {
        const history = (await producer.getHistory(key)) as HistoryEntry[];
        expect(history.map((h) => `${h.seq} ${h.event.type} ${h.outcome}`)).toEqual([
          '1 Arm applied',
          '2 xstate.after.ringAfter.alarm.armed applied',
        ]);
        // Late, never early: at or after its deadline (here after the outage).
        expect(history[1]!.at).toBeGreaterThanOrEqual(Math.max(dueAt.get(key.id)!, resumedAt));
        expect((await store.get(key))?.accepted).toBe(2);
      }
      for (const key of cancelled) {
        const history = (await producer.getHistory(key)) as HistoryEntry[];
        expect(history.map((h) => `${h.seq} ${h.event.type} ${h.outcome}`)).toEqual([
          '1 Arm applied',
          '2 Disarm applied',
        ]);
        expect((await store.get(key))?.accepted).toBe(2);
      }
      expect((await store.dueTimers(Number.MAX_SAFE_INTEGER, 1000)).items).toEqual([]);
      console.log(
        `durable timers: ${armed.length} fired once after kill -9 of all workers + redis restart (workers back ${resumedAt - latest} ms after the last deadline), ${cancelled.length} cancelled never fired`,
      );
    } finally {
      for (const worker of workers) await kill9(worker);
      await producer.close();
      await scheduler.close();
      await store.close();
    }
  }, 120_000);
});
