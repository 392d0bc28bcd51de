/**
 * Fault tests of the Redis store with real worker processes (see `crash-harness.ts`): workers killed
 * with SIGKILL, a worker frozen with SIGSTOP past its lease, redis-server killed and restarted from its
 * AOF. Each prints one checker line and fails unless every bad count is 0 and faults > 0. Negative
 * controls commit a paused worker's turn through a store that skips fencing, and a turn through a store
 * that splits the commit in two with a crash in between: the same checker must report the damage.
 * Sizes: CONVOY_CRASH_CONVOYS (default 40) x CONVOY_CRASH_EVENTS (default 25); CONVOY_FAULT_ROUNDS
 * (default 1) multiplies the number of faults of each test (and its time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isConvoyError } from '@convoy/core';
import { stepConvoy } from '@convoy/core/engine';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import type { Claim, ConvoyStore } from '@convoy/core/store';
import { checkConvoys, checkerLine, runWorkload, sleep, type CheckResult } from './crash-harness.ts';
import { crashLedger } from './fixtures/ledger.ts';
import { CrashBetweenWrites, splitCommit } from './fixtures/split-commit-store.ts';
import { unfenced } from './fixtures/unfenced-store.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const convoys = Number(process.env.CONVOY_CRASH_CONVOYS ?? 40);
const events = Number(process.env.CONVOY_CRASH_EVENTS ?? 25);
const rounds = Math.max(1, Number(process.env.CONVOY_FAULT_ROUNDS ?? 1));

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

/** Every bad count is 0, everything accepted was checked, and the faults really happened. */
function expectClean(result: CheckResult): void {
  expect({
    lost: result.lost,
    duplicated: result.duplicated,
    outOfOrder: result.outOfOrder,
    stuck: result.stuck,
    resentMismatch: result.resentMismatch,
    effectsMissing: result.effectsMissing,
  }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0, resentMismatch: 0, effectsMissing: 0 });
  expect(result.sent).toBeGreaterThanOrEqual(result.convoys * result.events);
  expect(result.accepted).toBe(result.sent);
  expect(result.faults).toBeGreaterThan(0);
}

describe('redis store under process faults', () => {
  it(
    'kill -9 of workers at random moments loses, duplicates and reorders nothing',
    async () => {
      const minimum = 12 * rounds;
      const result = await runWorkload({
        server,
        convoys,
        events,
        fault: async ({ workers, respawn, producing }) => {
          let kills = 0;
          while (producing() || kills < minimum) {
            await sleep(300 + Math.random() * 500);
            await respawn(Math.floor(Math.random() * workers.length));
            kills += 1;
          }
          return kills;
        },
      });
      console.log(`kill9: ${result.line}`);
      expect(result.faults).toBeGreaterThanOrEqual(minimum);
      expectClean(result);
    },
    150_000 * rounds,
  );

  it(
    'kill -9 of workers under the default timings (lease 3 s, BullMQ lock 3 s, stalled check 1.5 s): their convoys resume within seconds',
    async () => {
      // Recovery as users get it: the workers run with the shipped defaults. Each kill of a worker that
      // holds convoys with waiting events is timed until every one of them processed past where it
      // stood, on the other worker or the fresh one (printed per kill, then p50 / max in the line).
      // Each kill waits until every worker process is up (printed `ready`): a kill while the other
      // process is still starting would time how long Node takes to boot, not the takeover.
      const minimum = 6 * rounds;
      const result = await runWorkload({
        server,
        convoys,
        events: 40,
        spinMs: 8,
        producerPauseMs: 800,
        workerArgs: ['--default-timings'],
        recoveryLabel: 'recovery (default timings)',
        settleMs: 60_000,
        fault: async ({ workers, respawn, producing }) => {
          let kills = 0;
          while (producing() || kills < minimum) {
            while (!workers.every((worker) => /^ready /m.test(worker.output))) await sleep(50);
            await sleep(1_000 + Math.random() * 1_500);
            await respawn(Math.floor(Math.random() * workers.length));
            kills += 1;
          }
          return kills;
        },
      });
      console.log(`kill9, default timings: ${result.line}`);
      expect(result.faults).toBeGreaterThanOrEqual(minimum);
      expect(result.recoveriesMs.length).toBeGreaterThan(0);
      expectClean(result);
    },
    240_000 * rounds,
  );

  it(
    'kill -9 at named crash points (after claim, after commit = before effects, after ack, before release), 20 times',
    async () => {
      const minimum = 20 * rounds;
      const result = await runWorkload({
        server,
        convoys,
        events,
        workerArgs: ['--crash=0.1'],
        settleWorkerArgs: [],
        fault: async ({ workers, respawn, producing, outputs }) => {
          const crashes = () => outputs().match(/^CRASH /gm)?.length ?? 0;
          const pointsHit = () => new Set([...outputs().matchAll(/^CRASH (\S+)$/gm)].map((m) => m[1])).size;
          const deadline = Date.now() + 100_000 * rounds;
          while ((producing() || crashes() < minimum || pointsHit() < 4) && Date.now() < deadline) {
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
      expect(result.faults).toBeGreaterThanOrEqual(minimum);
      expect(new Set(result.crashPoints).size).toBe(4);
      expectClean(result);
    },
    200_000 * rounds,
  );

  it(
    'a worker frozen right after its claim, past its lease, cannot commit when it resumes (SIGSTOP / SIGCONT)',
    async () => {
      // Deterministic: worker 0 stops itself (SIGSTOP) right after a claim holding events, before its
      // commit. The test waits until worker 1 has claimed that convoy (its fencing epoch moved on), then
      // resumes worker 0, whose late commit must be refused: one STALE per freeze, no damage.
      const wanted = 3 * rounds;
      // Ms from seeing a freeze until another worker holds the frozen worker's convoy (its work resumed).
      const takeovers: number[] = [];
      const result = await runWorkload({
        server,
        convoys: Math.ceil(convoys / 2),
        events,
        spinMs: 20, // slower steps keep work pending, so worker 0 keeps claiming until it froze enough
        // A resumed worker freezes again only on a claim with events: keep sending until it froze enough
        // (on a loaded box the takeovers can outlast the regular workload).
        produceUntilFaultsDone: true,
        firstWorkerArgs: [`--freeze=${wanted}`],
        fault: async ({ workers, store }) => {
          const frozen = workers[0]!;
          const waitFor = async (what: string, ok: () => boolean | Promise<boolean>) => {
            const deadline = Date.now() + 60_000;
            while (!(await ok())) {
              if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
              await sleep(100);
            }
          };
          const freezes = () => [...frozen.output.matchAll(/^FREEZE (\S+?)\/(\S+) (\d+)$/gm)];
          const refused = () => new Set([...frozen.output.matchAll(/^STALE (\S+)$/gm)].map((m) => m[1]));
          // Freezes are handled one at a time; with concurrency 8 the worker may freeze again on another
          // claim right after it resumed, before its late commit, so refusals are awaited at the end.
          const frozenConvoys: string[] = [];
          for (let freeze = 0; freeze < wanted; freeze += 1) {
            await waitFor(`freeze ${freeze + 1}`, () => freezes().length > freeze);
            const frozenAt = Date.now();
            const [, type, id, epoch] = freezes()[freeze]!;
            const key = { type: type!, id: id! };
            // Another worker took the convoy over once the frozen worker's lease ran out.
            await waitFor(`takeover of ${key.id}`, async () => {
              const current = await store.client.hget(store.keys.convoy(key).meta, 'epoch');
              return Number(current ?? 0) > Number(epoch);
            });
            takeovers.push(Date.now() - frozenAt);
            frozenConvoys.push(`${type}/${id}`);
            frozen.child.kill('SIGCONT');
          }
          await waitFor('refusal of every late commit', () =>
            frozenConvoys.every((convoy) => refused().has(convoy)),
          );
          return wanted;
        },
      });
      const sorted = [...takeovers].sort((a, b) => a - b);
      console.log(
        `sigstop: ${result.line} takeover_p50_ms=${sorted[Math.floor(sorted.length / 2)]} takeover_max_ms=${sorted.at(-1)}`,
      );
      expect(result.faults).toBe(wanted);
      // Every freeze ended in a late commit that the store refused.
      expect(result.staleRefused).toBeGreaterThanOrEqual(wanted);
      expectClean(result);
    },
    150_000 * rounds,
  );

  it('negative controls: without fencing, or with the commit split in two, the checker reports the damage', async () => {
    // Deterministic: worker A claims 2 of 4 events and steps them; then either A pauses past its lease
    // while B takes over and commits, and A commits late (fenced: refused; unfenced: the damage lands),
    // or A's commit is split in two and A dies between the writes, and B takes over.
    const scenario = async (mode: 'fenced' | 'unfenced' | 'split') => {
      const store = new RedisConvoyStore({
        connection: server.url,
        prefix: `neg-${randomUUID().slice(0, 8)}`,
      });
      const key = { type: crashLedger.type, id: 'paused' };
      const seqOf = new Map<string, number>();
      for (let n = 1; n <= 4; n += 1) {
        const input = { key, event: { type: 'Add', n }, source: { kind: 'client' as const } };
        const { seq } = await store.accept({ ...input, fingerprint: `fp-${n}`, now: n, maxBacklog: 100 });
        seqOf.set(`${key.id}/${n}`, seq);
      }
      const step = (claim: Claim, now: number) =>
        stepConvoy({ definition: crashLedger, key, record: claim.record, events: claim.events, now });
      const outcome = (promise: Promise<unknown>) =>
        promise.then(
          () => 'committed',
          (error: unknown) => (isConvoyError(error) ? error.code : String(error)),
        );
      let staleCommits = 0;
      const a = (await store.claim(key, { owner: 'A', leaseMs: 1_000, maxEvents: 2, now: 10 }))!;
      const aTurn = step(a, 10);
      if (mode === 'split') {
        const crashing: ConvoyStore = splitCommit(store, () => {
          throw new CrashBetweenWrites('A died between the two writes of its commit');
        });
        await crashing.commit(a, aTurn).catch((error: unknown) => {
          if (!(error instanceof CrashBetweenWrites)) throw error;
        });
      }
      const b = (await store.claim(key, { owner: 'B', leaseMs: 1_000, maxEvents: 10, now: 1_011 }))!;
      await store.commit(b, step(b, 1_011));
      let late = 'none';
      if (mode !== 'split') {
        late = await outcome((mode === 'fenced' ? store : unfenced(store)).commit(a, aTurn));
        if (late === 'stale_claim') staleCommits += 1;
      }
      const counts = await checkConvoys(store, [key], 4, seqOf);
      const stored = await store.get(key);
      const stuck = (stored?.record?.processedSeq ?? 0) < (stored?.accepted ?? 0) ? 1 : 0;
      await store.close();
      return { late, counts, line: checkerLine({ ...counts, staleCommits, stuck, faults: 1 }) };
    };
    const fenced = await scenario('fenced');
    const withoutFencing = await scenario('unfenced');
    const split = await scenario('split');
    console.log(`negative control, fenced (the real store): ${fenced.line}`);
    console.log(`negative control, fencing skipped: ${withoutFencing.line}`);
    console.log(`negative control, commit split in two: ${split.line}`);
    expect(fenced.late).toBe('stale_claim');
    expect(fenced.counts).toEqual({ accepted: 4, lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(withoutFencing.late).toBe('committed');
    expect(withoutFencing.counts.lost).toBeGreaterThan(0);
    expect(withoutFencing.counts.duplicated).toBeGreaterThan(0);
    // The next claimer applied again what the first half of the split commit had already applied.
    expect(split.counts.duplicated).toBeGreaterThan(0);
  });

  it(
    'kill -9 of redis-server and restart from the AOF loses nothing acknowledged',
    async () => {
      const minimum = 5 * rounds;
      const result = await runWorkload({
        server,
        convoys,
        events,
        fault: async ({ server: redis, producing }) => {
          let restarts = 0;
          while (producing() || restarts < minimum) {
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
      expect(result.faults).toBeGreaterThanOrEqual(minimum);
      expectClean(result);
    },
    150_000 * rounds,
  );
});
