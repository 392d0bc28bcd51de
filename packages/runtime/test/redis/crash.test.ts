/**
 * Crash test: two worker processes on the Redis store are killed with SIGKILL again and again while
 * producers send events (and re-send some with the same Idempotency-Key). Ground truth is read back from
 * Redis: every convoy must end with history 1..n, every accepted event applied exactly once, in seq
 * order, and the machine's context must list each event once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvoyKey } from '@convoy/core';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { crashLedger } from './fixtures/ledger.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const convoys = Number(process.env.CONVOY_CRASH_CONVOYS ?? 40);
const eventsPerConvoy = Number(process.env.CONVOY_CRASH_EVENTS ?? 25);
const minKills = Number(process.env.CONVOY_CRASH_KILLS ?? 12);

const workerScript = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

interface WorkerSlot {
  child: ChildProcess;
  output: string;
}

function spawnWorker(prefix: string, queueName: string, id: string): WorkerSlot {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', workerScript, server.url, prefix, queueName, id],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const slot: WorkerSlot = { child, output: '' };
  const keep = (chunk: Buffer) => (slot.output = (slot.output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return slot;
}

async function kill9(slot: WorkerSlot): Promise<void> {
  if (slot.child.exitCode !== null || slot.child.signalCode !== null) return;
  const exited = new Promise((resolve) => slot.child.once('exit', resolve));
  slot.child.kill('SIGKILL');
  await exited;
}

describe('redis store under kill -9 of workers', () => {
  it('loses, duplicates and reorders nothing while workers are killed repeatedly', async () => {
    const run = randomUUID().slice(0, 8);
    const prefix = `crash-${run}`;
    const queueName = `crash-${run}`;
    const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 8 });
    const scheduler = new BullmqTurnScheduler({ connection: server.url, queueName });
    // The producer is an API-only node: it accepts and schedules, the worker processes do the turns.
    const producer = createConvoyEngine({
      definitions: [crashLedger],
      store,
      scheduler,
      processing: false,
      logger: silentLogger,
    });
    const workers = [spawnWorker(prefix, queueName, 'w0'), spawnWorker(prefix, queueName, 'w1')];
    const keys: ConvoyKey[] = Array.from({ length: convoys }, (_, i) => ({
      type: crashLedger.type,
      id: `c${i}`,
    }));
    const seqOf = new Map<string, number>(); // `${id}/${n}` -> seq from the 202
    let resent = 0;
    let duplicatesMismatched = 0;
    let kills = 0;
    let producing = true;

    const send = async (key: ConvoyKey, n: number): Promise<{ seq: number; duplicate: boolean }> => {
      for (;;) {
        try {
          return await producer.accept({
            ...key,
            event: { type: 'Add', n },
            idempotencyKey: `${key.id}-${n}`,
          });
        } catch {
          await sleep(20); // an unknown outcome: retry with the same key
        }
      }
    };

    // Concurrent producers: one per convoy, events in order, ~10% sent twice with the same key.
    const produce = Promise.all(
      keys.map(async (key) => {
        for (let n = 1; n <= eventsPerConvoy; n += 1) {
          const receipt = await send(key, n);
          seqOf.set(`${key.id}/${n}`, receipt.seq);
          if (Math.random() < 0.1) {
            resent += 1;
            const again = await send(key, n);
            if (again.seq !== receipt.seq || !again.duplicate) duplicatesMismatched += 1;
          }
          await sleep(Math.random() * 40);
        }
      }),
    ).finally(() => (producing = false));

    const killer = (async () => {
      const started = Date.now();
      while (producing || kills < minKills) {
        await sleep(300 + Math.random() * 500);
        const index = Math.floor(Math.random() * workers.length);
        await kill9(workers[index]!);
        kills += 1;
        workers[index] = spawnWorker(prefix, queueName, `w${index}-${kills}`);
        if (Date.now() - started > 60_000) break;
      }
    })();

    await produce;
    await killer;

    // Let the surviving workers finish: every convoy processes everything it accepted.
    const deadline = Date.now() + 45_000;
    let pending = keys.length;
    while (Date.now() < deadline) {
      const states = await Promise.all(keys.map((key) => store.get(key)));
      pending = states.filter((s) => !s || (s.record?.processedSeq ?? 0) < s.accepted).length;
      if (pending === 0) break;
      await sleep(200);
    }

    let accepted = 0;
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const key of keys) {
      const stored = await store.get(key);
      const history = await store.history(key);
      const items = (stored?.record?.context as { items?: number[] } | undefined)?.items ?? [];
      const expected = Array.from({ length: eventsPerConvoy }, (_, i) => i + 1).sort(
        (a, b) => seqOf.get(`${key.id}/${a}`)! - seqOf.get(`${key.id}/${b}`)!,
      );
      accepted += stored?.accepted ?? 0;
      lost += expected.filter((n) => !items.includes(n)).length;
      duplicated +=
        items.length - new Set(items).size + Math.max(0, (stored?.accepted ?? 0) - eventsPerConvoy);
      if (JSON.stringify(items) !== JSON.stringify(expected)) outOfOrder += 1;
      const seqs = history.map((entry) => entry.seq);
      if (JSON.stringify(seqs) !== JSON.stringify(Array.from({ length: seqs.length }, (_, i) => i + 1))) {
        outOfOrder += 1;
      }
      if (seqs.length !== eventsPerConvoy || history.some((entry) => entry.outcome !== 'applied')) lost += 1;
    }
    console.log(
      `accepted=${accepted} lost=${lost} duplicated=${duplicated} out_of_order=${outOfOrder} stuck=${pending} ` +
        `resent=${resent} resent_mismatch=${duplicatesMismatched} faults=kill9x${kills}`,
    );

    await Promise.all(workers.map(kill9));
    await producer.close();
    await store.close();

    expect(kills).toBeGreaterThanOrEqual(minKills);
    expect({ lost, duplicated, outOfOrder, pending, duplicatesMismatched }).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      pending: 0,
      duplicatesMismatched: 0,
    });
    expect(accepted).toBe(convoys * eventsPerConvoy);
  }, 150_000);
});
