/**
 * Fault tests of the Redis store with real worker processes (see `crash-harness.ts`): workers killed
 * with SIGKILL, workers frozen with SIGSTOP past their lease, redis-server killed and restarted from its
 * AOF. Each prints one checker line. A negative control commits a paused worker's turn through a store
 * that skips fencing: the same checker must report the damage.
 * Sizes: CONVOY_CRASH_CONVOYS (default 40) x CONVOY_CRASH_EVENTS (default 25).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isConvoyError, stepConvoy } from '@convoy/core';
import type { Claim } from '@convoy/core';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { checkConvoys, runWorkload, sleep, type CheckResult } from './crash-harness.ts';
import { crashLedger } from './fixtures/ledger.ts';
import { unfenced } from './fixtures/unfenced-store.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const convoys = Number(process.env.CONVOY_CRASH_CONVOYS ?? 40);
const events = Number(process.env.CONVOY_CRASH_EVENTS ?? 25);

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

function expectClean(result: CheckResult): void {
  expect({
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    stuck: result.stuck,
    resentMismatch: result.resentMismatch,
    effectsMissing: result.effectsMissing,
  }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0, resentMismatch: 0, effectsMissing: 0 });
  expect(result.accepted).toBe(result.convoys * result.events);
}

// Slow steps (40 ms per event) keep the workers busy while they are frozen, so freezes land mid-turn.
const frozenWorkload = { convoys: Math.ceil(convoys / 2), events, spinMs: 40 };

describe('redis store under process faults', () => {
  it('kill -9 of workers at random moments loses, duplicates and reorders nothing', async () => {
    const result = await runWorkload({
      server,
      convoys,
      events,
      fault: async ({ workers, respawn, producing }) => {
        let kills = 0;
        while (producing() || kills < 12) {
          await sleep(300 + Math.random() * 500);
          await respawn(Math.floor(Math.random() * workers.length));
          kills += 1;
        }
        return kills;
      },
    });
    console.log(`kill9: ${result.line}`);
    expect(result.faults).toBeGreaterThanOrEqual(12);
    expectClean(result);
  }, 150_000);

  it('kill -9 at named crash points (after claim, after commit = before effects, after ack, before release), 20 times', async () => {
    const result = await runWorkload({
      server,
      convoys,
      events,
      workerArgs: ['--crash=0.1'],
      settleWorkerArgs: [],
      fault: async ({ workers, respawn, producing, outputs }) => {
        const crashes = () => outputs().match(/^CRASH /gm)?.length ?? 0;
        const pointsHit = () => new Set([...outputs().matchAll(/^CRASH (\S+)$/gm)].map((m) => m[1])).size;
        const deadline = Date.now() + 100_000;
        while ((producing() || crashes() < 20 || pointsHit() < 4) && Date.now() < deadline) {
          await sleep(100);
          // A worker that killed itself is replaced, as a process supervisor would.
          for (const [index, worker] of workers.entries()) {
            if (worker.child.exitCode !== null || worker.child.signalCode !== null) await respawn(index);
          }
        }
        return crashes();
      },
    });
    const points = [...new Set(result.crashPoints)].sort().join(',');
    console.log(`crash points [${points}]: ${result.line}`);
    expect(result.faults).toBeGreaterThanOrEqual(20);
    expect(new Set(result.crashPoints).size).toBe(4);
    expectClean(result);
  }, 200_000);

  it('a worker frozen past its lease cannot commit when it resumes (SIGSTOP / SIGCONT)', async () => {
    const result = await runWorkload({ server, ...frozenWorkload, fault: freezeWorkers });
    console.log(`sigstop: ${result.line}`);
    expect(result.faults).toBeGreaterThanOrEqual(6);
    // The fault really hit turns in flight: the store refused late commits.
    expect(result.staleRefused).toBeGreaterThan(0);
    expectClean(result);
  }, 150_000);

  it('negative control: without fencing, the late commit of a paused worker corrupts the convoy and the checker reports it', async () => {
    // Deterministic: worker A claims and steps, pauses past its lease; B takes over and commits; A then
    // commits late. With fencing A is refused; through a store that skips fencing the damage lands.
    const outcome = async (fenced: boolean) => {
      const store = new RedisConvoyStore({
        connection: server.url,
        prefix: `neg-${randomUUID().slice(0, 8)}`,
      });
      const key = { type: crashLedger.type, id: 'paused' };
      const seqOf = new Map<string, number>();
      for (let n = 1; n <= 4; n += 1) {
        const { seq } = await store.accept({
          key,
          event: { type: 'Add', n },
          source: { kind: 'client' },
          fingerprint: `fp-${n}`,
          now: n,
          maxBacklog: 100,
        });
        seqOf.set(`${key.id}/${n}`, seq);
      }
      const step = (claim: Claim, now: number) =>
        stepConvoy({ definition: crashLedger, key, record: claim.record, events: claim.events, now });
      const a = (await store.claim(key, { owner: 'A', leaseMs: 1_000, maxEvents: 2, now: 10 }))!;
      const lateTurn = step(a, 10);
      const b = (await store.claim(key, { owner: 'B', leaseMs: 1_000, maxEvents: 10, now: 1_011 }))!;
      await store.commit(b, step(b, 1_011));
      const writer = fenced ? store : unfenced(store);
      const late = await writer.commit(a, lateTurn).then(
        () => 'committed',
        (error: unknown) => (isConvoyError(error) ? error.code : String(error)),
      );
      const counts = await checkConvoys(store, [key], 4, seqOf);
      await store.close();
      return { late, ...counts };
    };
    const fenced = await outcome(true);
    const unfencedResult = await outcome(false);
    console.log(
      `negative control: fenced=${JSON.stringify(fenced)} unfenced=${JSON.stringify(unfencedResult)}`,
    );
    expect(fenced).toEqual({ late: 'stale_claim', accepted: 4, lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(unfencedResult.late).toBe('committed');
    expect(unfencedResult.lost).toBeGreaterThan(0);
    expect(unfencedResult.duplicated).toBeGreaterThan(0);
  });

  it('kill -9 of redis-server and restart from the AOF loses nothing acknowledged', async () => {
    const result = await runWorkload({
      server,
      convoys,
      events,
      fault: async ({ server: redis, producing }) => {
        let restarts = 0;
        while (producing() || restarts < 3) {
          await sleep(1_000 + Math.random() * 1_000);
          await redis.kill9();
          await sleep(200);
          await redis.restart();
          restarts += 1;
        }
        return restarts;
      },
    });
    console.log(`redis kill9: ${result.line}`);
    expect(result.faults).toBeGreaterThanOrEqual(3);
    expectClean(result);
  }, 150_000);
});

/**
 * Freezes a random worker for 4 s, well past its lease (1 s) and BullMQ's stall detection (lock 1 s,
 * checked every 1 s), so the other worker takes its convoys over while it is frozen.
 */
async function freezeWorkers({
  workers,
  producing,
}: {
  workers: Array<{ child: { kill(signal: NodeJS.Signals): boolean } }>;
  producing(): boolean;
}): Promise<number> {
  let freezes = 0;
  while (producing() || freezes < 6) {
    await sleep(500 + Math.random() * 500);
    const worker = workers[Math.floor(Math.random() * workers.length)]!;
    worker.child.kill('SIGSTOP');
    await sleep(4_000);
    worker.child.kill('SIGCONT');
    freezes += 1;
  }
  await sleep(2_000); // let resumed workers attempt their late commits before the check
  return freezes;
}
