/**
 * Local turns (`localTurns`): a convoy woken by the engine's own accept is processed in this process
 * without a scheduler round trip, up to the limit; beyond it, and when a local turn fails, the
 * scheduler takes over. Memory store and Redis (own redis-server, BullMQ scheduler).
 */
import type { ConvoyKey } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import {
  createConvoyEngine,
  MemoryConvoyStore,
  MemoryTurnScheduler,
  silentLogger,
  type ConvoyEngine,
} from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { conformanceConvoys, EffectLog } from '@convoy/runtime/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from './redis/redis-server.ts';

/** A scheduler that counts the wake-ups handed to it. */
function counting(inner: TurnScheduler): TurnScheduler & { readonly scheduled: ConvoyKey[] } {
  const scheduled: ConvoyKey[] = [];
  return {
    scheduled,
    schedule: async (key, options) => {
      scheduled.push(key);
      await inner.schedule(key, options);
    },
    start: (handler) => inner.start(handler),
    close: () => inner.close(),
  };
}

const log = new EffectLog();
const convoys = conformanceConvoys(log);
const ledgerType = convoys.ledger.type;

async function sendAndWait(engine: ConvoyEngine, id: string, n: number): Promise<void> {
  const receipt = await engine.accept({ type: ledgerType, id, event: { type: 'Add', n } });
  expect(await engine.waitForSeq({ type: ledgerType, id }, receipt.seq, 5_000)).toBe(true);
}

async function itemsOf(engine: ConvoyEngine, id: string): Promise<unknown> {
  const view = await engine.getConvoy({ type: ledgerType, id });
  return (view?.context as { items?: unknown } | undefined)?.items;
}

describe('local turns on the memory store', () => {
  const engines: ConvoyEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });

  const start = async (localTurns: number, store: ConvoyStore = new MemoryConvoyStore()) => {
    const scheduler = counting(new MemoryTurnScheduler());
    const engine = createConvoyEngine({
      definitions: convoys.all,
      store,
      scheduler,
      logger: silentLogger,
      localTurns,
      sweepMs: 0,
      timerPollMs: 0,
    });
    engines.push(engine);
    await engine.start();
    return { engine, scheduler };
  };

  it('processes what its own accepts wake without asking the scheduler', async () => {
    const { engine, scheduler } = await start(4);
    for (let n = 1; n <= 5; n += 1) for (const id of ['a', 'b', 'c']) await sendAndWait(engine, id, n);
    expect(scheduler.scheduled).toEqual([]);
    for (const id of ['a', 'b', 'c']) expect(await itemsOf(engine, id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('without local turns every wake-up goes through the scheduler (control)', async () => {
    const { engine, scheduler } = await start(0);
    for (let n = 1; n <= 3; n += 1) await sendAndWait(engine, 'a', n);
    expect(scheduler.scheduled.length).toBe(3);
  });

  it('hands wake-ups to the scheduler while the local limit is reached', async () => {
    const { engine, scheduler } = await start(1);
    // The local turn of `held` runs an effect that waits: the one local slot stays busy.
    const releaseHeld = log.gate('held');
    await engine.accept({ type: ledgerType, id: 'held', event: { type: 'Hold' } });
    await sendAndWait(engine, 'other', 1);
    expect(scheduler.scheduled.map((key) => key.id)).toEqual(['other']);
    releaseHeld();
    // The slot is free again once the held turn finished (effect acknowledged, lease released): then an
    // accept is processed locally again, the scheduler gets nothing new.
    let attempt = 0;
    await expect
      .poll(async () => {
        const before = scheduler.scheduled.length;
        attempt += 1;
        await sendAndWait(engine, `after-${attempt}`, 1);
        return scheduler.scheduled.length - before;
      })
      .toBe(0);
  });

  it('a local turn that fails hands its convoy to the scheduler, which applies the event once', async () => {
    const inner = new MemoryConvoyStore();
    let failures = 1;
    // The accept claims for the local turn; its commit fails once (a store hiccup mid-turn).
    const flaky = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'commit')
          return async (...args: Parameters<ConvoyStore['commit']>) => {
            if (failures > 0) {
              failures -= 1;
              throw new Error('commit failed (injected)');
            }
            return target.commit(...args);
          };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { engine, scheduler } = await start(4, flaky);
    await sendAndWait(engine, 'f', 1);
    expect(scheduler.scheduled.map((key) => key.id)).toEqual(['f']);
    expect(await itemsOf(engine, 'f')).toEqual([1]);
  });
});

describe('closing an engine with local turns', () => {
  it('close() leaves no turn starting after it resolves, also for an accept still claiming', async () => {
    // The store holds an accept that claims for a local turn until the test lets it go: close() is
    // called while that claim is pending, so the turn it claims starts during the close.
    let enterClaim!: () => void;
    const claiming = new Promise<void>((resolve) => (enterClaim = resolve));
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let closed = false;
    const afterClose: string[] = [];
    const inner = new MemoryConvoyStore();
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'accept')
          return async (input: Parameters<ConvoyStore['accept']>[0]) => {
            if (input.claim) {
              enterClaim();
              await gate;
            }
            return target.accept(input);
          };
        if (
          property === 'claim' ||
          property === 'commit' ||
          property === 'ackEffects' ||
          property === 'release'
        )
          return async (...args: unknown[]) => {
            if (closed) afterClose.push(String(property));
            return (Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown).apply(
              target,
              args,
            );
          };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const engine = createConvoyEngine({
      definitions: convoys.all,
      store,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
      localTurns: 4,
      sweepMs: 0,
      timerPollMs: 0,
    });
    await engine.start();
    const accepted = engine.accept({ type: ledgerType, id: 'closing', event: { type: 'Add', n: 1 } });
    await claiming;
    const closing = engine.close().then(() => {
      closed = true;
    });
    // Give close() every chance to resolve before the claim comes back (it must not).
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 200))]);
    const closedBeforeClaim = closed;
    letGo();
    await accepted;
    await closing;
    // Whatever the claim started has run to its end by the time close() resolved.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ closedBeforeClaim, afterClose }).toEqual({ closedBeforeClaim: false, afterClose: [] });
    expect(await itemsOf(engine, 'closing')).toEqual([1]);
  });
});

describe('local turns on Redis with the BullMQ scheduler', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('concurrent producers on many convoys: every event applied once, in order, no BullMQ job', async () => {
    const client = new Redis(server.url, { maxRetriesPerRequest: 3 });
    const store = new RedisConvoyStore({ connection: client, prefix: 'local' });
    const scheduler = counting(
      new BullmqTurnScheduler({ connection: server.url, prefix: '{local-turns}', concurrency: 8 }),
    );
    const engine = createConvoyEngine({
      definitions: convoys.all,
      store,
      scheduler,
      logger: silentLogger,
      localTurns: 64,
    });
    try {
      await engine.start();
      const ids = Array.from({ length: 12 }, (_, index) => `r${index}`);
      // Each convoy's producer sends its events in order, each after the previous one was applied:
      // every accept finds its convoy idle and wakes it.
      await Promise.all(
        ids.map(async (id) => {
          for (let n = 1; n <= 6; n += 1) await sendAndWait(engine, id, n);
        }),
      );
      for (const id of ids) expect(await itemsOf(engine, id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(scheduler.scheduled).toEqual([]);
      const history = await engine.getHistory({ type: ledgerType, id: 'r0' });
      expect(history?.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await engine.close();
      await store.close();
      client.disconnect();
    }
  }, 60_000);
});
