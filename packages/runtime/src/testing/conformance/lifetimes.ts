/**
 * Conformance: a convoy's lifetime and the idempotency records in it — an id reused after retention, a
 * late event whose convoy expires before its turn, a short idempotency TTL, and client keys that look
 * like the runtime's own. Retention and TTLs run in real time on Redis (key expiry), so these tests wait
 * for real and move the simulated clock by as much.
 */
import { createConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import { MemoryTurnScheduler } from '../../memory/memory-scheduler.ts';
import { conformancePaymentTimeoutMs, conformanceRetentionMs } from '../conformance-convoys.ts';
import { expect, it } from 'vitest';
import type { Harness, StoreFactory } from './harness.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lifetime tests. */
export function lifetimeTests(h: () => Harness, factory: StoreFactory): void {
  /** Let retention (and any TTL up to it) run out, in real time and on the simulated clock. */
  const outliveRetention = async (): Promise<void> => {
    await sleep(conformanceRetentionMs + 200);
    h().clock.advance(conformanceRetentionMs + 200);
    // A poll tells a store the time (the memory store's retention sweep rides on it).
    await h().engine.fireDueTimers();
  };

  it('an id reused after retention starts a new convoy: its keys, timers and invoke ids meet nothing of the old one', async () => {
    const { retained } = h().convoys;
    await h().start();
    const key = h().key(retained.type);
    // First lifetime: a client key, a timer that fires, the convoy finishes (Expired) and is retained.
    expect(await h().send(key, { type: 'OrderPlaced' }, 'place-1')).toBe(1);
    await h().settle(key, 1);
    h().clock.advance(conformancePaymentTimeoutMs);
    expect(await h().engine.fireDueTimers()).toBe(1);
    await h().settle(key, 2);
    expect((await h().engine.getConvoy(key))?.status).toBe('done');
    await outliveRetention();
    await h().engine.listConvoys({ type: retained.type });
    expect(await h().engine.getConvoy(key)).toBeNull();

    // Second lifetime under the same id: the same client key is new, and the same timer fires again.
    const again = await h().engine.accept({
      ...key,
      event: { type: 'OrderPlaced' },
      idempotencyKey: 'place-1',
    });
    expect(again).toMatchObject({ seq: 1, duplicate: false });
    await h().settle(key, 1);
    h().clock.advance(conformancePaymentTimeoutMs);
    expect(await h().engine.fireDueTimers()).toBe(1);
    await h().settle(key, 2);
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'Expired', status: 'done', seq: 2 });
    expect((await h().history(key)).map((entry) => entry.outcome)).toEqual(['applied', 'applied']);
  }, 20_000);

  it('a late event after the finish goes with its convoy when retention expires before its turn; the id then starts afresh', async () => {
    const { retained } = h().convoys;
    await h().start();
    const key = h().key(retained.type);
    await h().send(key, { type: 'OrderPlaced' });
    const done = await h().send(key, { type: 'OrderCanceled' });
    await h().settle(key, done);
    // Accepted straight into the store, so no turn runs before retention expires the convoy.
    const late = await h().store.accept({
      key,
      event: { type: 'OrderPlaced' },
      source: { kind: 'client' },
      fingerprint: 'late',
      now: h().clock.now(),
      maxBacklog: 100,
    });
    expect(late.seq).toBe(3);
    await outliveRetention();
    await h().engine.sweep();
    await h().engine.runTurn(key);
    expect(await h().store.get(key)).toBeNull();
    expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key);
    // Nothing stuck, nothing half-kept: the next events start a new convoy at seq 1.
    expect(await h().send(key, { type: 'OrderPlaced' })).toBe(1);
    expect(await h().send(key, { type: 'OrderCanceled' })).toBe(2);
    await h().settle(key, 2);
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'Canceled', seq: 2, accepted: 2 });
    expect(await h().history(key)).toHaveLength(2);
    // And the counts no longer hold the expired lifetime beside the new one.
    expect((await h().engine.countConvoys(retained.type)).done).toBe(1);
  });

  it('counts and lists forget a convoy as soon as retention expired it', async () => {
    const { retained } = h().convoys;
    await h().start();
    const key = h().key(retained.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().settle(key, await h().send(key, { type: 'OrderCanceled' }));
    expect((await h().engine.countConvoys(retained.type)).done).toBe(1);
    await outliveRetention();
    expect(await h().engine.countConvoys(retained.type)).toEqual({
      active: 0,
      done: 0,
      blocked: 0,
      stalled: 0,
      paused: 0,
    });
    expect((await h().engine.listConvoys({ type: retained.type })).items).toEqual([]);
  });

  it('an idempotency key is remembered for the store TTL and no longer: a retry after it is a new event', async () => {
    const underTest = await factory({ idempotencyTtlMs: 300 });
    const { ledger } = h().convoys;
    const engine = createConvoyEngine({
      definitions: h().convoys.all,
      store: underTest.store,
      scheduler: new MemoryTurnScheduler(),
      clock: h().clock,
      logger: silentLogger,
      timerPollMs: 0,
      sweepMs: 0,
    });
    try {
      const key = h().key(ledger.type);
      const send = () => engine.accept({ ...key, event: { type: 'Add', n: 1 }, idempotencyKey: 'add-1' });
      expect(await send()).toMatchObject({ seq: 1, duplicate: false });
      expect(await send()).toMatchObject({ seq: 1, duplicate: true });
      await sleep(500);
      h().clock.advance(500);
      expect(await send()).toMatchObject({ seq: 2, duplicate: false });
    } finally {
      await engine.close();
      await underTest.cleanup();
    }
  });

  it('a client key that spells a timer token cannot stop the timer from firing', async () => {
    const order = h().convoys.orders.ignore;
    await h().start();
    const key = h().key(order.type);
    await h().settle(key, await h().send(key, { type: 'OrderPlaced' }));
    const [timer] = (await h().engine.getTimers(key)) ?? [];
    if (!timer) throw new Error('the payment timeout was not armed');
    // Tokens are visible (GET .../timers) and were predictable: a client key equal to the runtime's.
    for (const clientKey of [`timer:${timer.token}`, timer.token]) {
      await h().send(key, { type: 'ItemsShipped' }, clientKey);
    }
    await h().settle(key, 3);
    h().clock.advance(conformancePaymentTimeoutMs);
    expect(await h().engine.fireDueTimers()).toBe(1);
    await h().settle(key, 4);
    expect((await h().engine.getConvoy(key))?.value).toBe('Expired');
  });
}
