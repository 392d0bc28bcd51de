/**
 * Fault test for local turns (engine `localTurns`): a process that accepts events AND runs the turns
 * its own accepts wake is killed (SIGKILL at random crash points: after claim, after commit, after ack,
 * before release) again and again while it produces. Its convoys are left claimed or dirty with no
 * BullMQ job; a second worker process (no crashes) must finish them through the sweeper once leases
 * expire. Checker: every convoy's committed context lists 1..events exactly once, in order, and its
 * history holds each seq once.
 */
import { randomUUID } from 'node:crypto';
import type { ConvoyKey } from '@convoy/core';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';
import { kill9, sleep, spawnFixtureWorker, until, type FixtureWorker } from './worker-process.ts';

const convoys = 8;
const events = 30;

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

const exited = (worker: FixtureWorker): Promise<void> =>
  new Promise((resolve) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) resolve();
    else worker.child.once('exit', () => resolve());
  });

describe('redis store: local turns when their process is killed', () => {
  it('every event accepted by a crashing producer-worker is applied exactly once, in order', async () => {
    const prefix = `lt-${randomUUID().slice(0, 8)}`;
    const queue = `turns-${prefix}`;
    const base = [server.url, prefix, queue];
    const produce = [`--produce=${convoys}x${events}`, '--local-turns'];
    const helper = spawnFixtureWorker('crash-worker.ts', [...base, 'helper']);
    const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 8 });
    const workers: FixtureWorker[] = [helper];
    let crashes = 0;
    let finalOutput = '';
    try {
      // The crashing producer-worker, restarted after each death; it re-sends with the same keys.
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const crash = attempt < 30 ? ['--crash=0.05'] : [];
        const producer = spawnFixtureWorker('crash-worker.ts', [
          ...base,
          `producer-${attempt}`,
          ...produce,
          ...crash,
        ]);
        workers.push(producer);
        await exitedOrProduced(producer);
        if (producer.output.includes('PRODUCED')) {
          finalOutput = producer.output;
          break;
        }
        if (producer.output.includes('CRASH')) crashes += 1;
        await sleep(50);
      }
      expect(finalOutput).toContain('PRODUCED');
      expect(crashes).toBeGreaterThanOrEqual(1);
      // The last producer ran without crashes: most of its wake-ups were local (no BullMQ job).
      const [, scheduled = '0', accepts = '0'] =
        /PRODUCED scheduled=(\d+) accepts=(\d+)/.exec(finalOutput) ?? [];
      expect(Number(accepts)).toBe(convoys * events);
      expect(Number(scheduled)).toBeLessThan(Number(accepts) / 2);

      const keys: ConvoyKey[] = Array.from({ length: convoys }, (_, index) => ({
        type: 'crash-ledger',
        id: `local-${index}`,
      }));
      for (const key of keys) {
        const stored = await until(
          () => store.get(key),
          (value) => (value?.record?.processedSeq ?? 0) >= events && value?.accepted === events,
          30_000,
        );
        expect((stored?.record?.context as { items?: number[] }).items).toEqual(
          Array.from({ length: events }, (_, index) => index + 1),
        );
        const history = await store.history(key);
        expect(history.map((entry) => entry.seq)).toEqual(
          Array.from({ length: events }, (_, index) => index + 1),
        );
        expect(history.every((entry) => entry.outcome === 'applied')).toBe(true);
      }
      console.log(
        `local turns under kill -9: convoys=${convoys} events=${events} producer_crashes=${crashes} lost=0 duplicated=0 out_of_order=0`,
      );
    } finally {
      for (const worker of workers) await kill9(worker);
      await store.close();
    }
  }, 180_000);
});

/** Resolves when the producer printed PRODUCED (it then keeps running as a worker) or exited. */
async function exitedOrProduced(worker: FixtureWorker): Promise<void> {
  const produced = until(
    async () => worker.output.includes('PRODUCED'),
    (done) => done,
    60_000,
  ).then(() => undefined);
  await Promise.race([produced, exited(worker)]);
}
