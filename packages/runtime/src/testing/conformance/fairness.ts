/**
 * Conformance: no convoy can starve another. Paused convoys leave the work lists the timer poller, the
 * sweeper and the stall watch read (and come back on resume), and the scans page on past what cannot
 * move. Built at the scale that broke it: 1,000 paused convoys holding due timers and waiting events,
 * more than a poll page (500 timers) and a sweep page (1,000 convoys).
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, ConvoyKey } from '@convoy/core';
import type { TurnScheduler } from '@convoy/core/store';
import { expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { createConvoyEngine, type ConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import type { ConvoyStall } from '../../stall-watch.ts';
import { conformancePaymentTimeoutMs } from '../conformance-convoys.ts';
import type { Harness } from './harness.ts';

/** Paused convoys in the starvation test: more than one timer poll (500) and one sweep page (1,000). */
export const starvationParkedConvoys = 1_000;
/** Convoys set up concurrently while building them (keeps a Cluster run in seconds). */
const setupBatch = 100;
/** The stall report threshold of the test's engine, in simulated ms. */
const stallAfterMs = 10_000;

/** A scheduler that only records what it was asked to wake: the test runs turns itself. */
class RecordingScheduler implements TurnScheduler {
  readonly woken: ConvoyKey[] = [];
  async schedule(key: ConvoyKey): Promise<void> {
    this.woken.push(key);
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  /** Whether `key` was woken since the last `clear`. */
  has(key: ConvoyKey): boolean {
    return this.woken.some((woken) => woken.type === key.type && woken.id === key.id);
  }
  clear(): void {
    this.woken.length = 0;
  }
}

/** Fairness tests. */
export function fairnessTests(h: () => Harness): void {
  it(
    `${starvationParkedConvoys} paused convoys holding due timers and waiting events starve no one: ` +
      `another timer fires at its first poll, a lost wake-up is repaired by one sweep, and the stall watch ` +
      `reports the starved convoy, not the paused ones`,
    async () => {
      const { defer: order } = h().convoys.orders;
      const clock = h().clock;
      const scheduler = new RecordingScheduler();
      const stalls: ConvoyStall[] = [];
      // Its own engine on the store under test: turns run only when the test says, so what the poller and
      // the sweeper hand out is visible; background loops off (the test calls them).
      const engine: ConvoyEngine = createConvoyEngine({
        definitions: h().convoys.all,
        store: h().store,
        scheduler,
        clock,
        workerId: 'fairness',
        timerPollMs: 0,
        sweepMs: 0,
        stallAfterMs,
        onStall: (stall) => void stalls.push(stall),
        logger: silentLogger,
      });
      try {
        const parked = Array.from({ length: starvationParkedConvoys }, () => h().key(order.type));
        for (let i = 0; i < parked.length; i += setupBatch) {
          await Promise.all(
            parked.slice(i, i + setupBatch).map(async (key) => {
              // AwaitingPayment arms the payment timeout; then paused; then an event waits in the inbox.
              await engine.accept({ ...key, event: { type: 'OrderPlaced' } });
              await engine.runTurn(key);
              await engine.pauseConvoy(key);
              await engine.accept({ ...key, event: { type: 'OrderCanceled' } });
            }),
          );
        }
        // Every paused convoy's timeout is due from now on, ahead of any timer armed later.
        clock.advance(conformancePaymentTimeoutMs);

        const other = h().key(order.type);
        await engine.accept({ ...other, event: { type: 'OrderPlaced' } });
        await engine.runTurn(other);
        clock.advance(conformancePaymentTimeoutMs);
        scheduler.clear();

        // Timer poller: the other convoy's timeout is due now and fires at the very first poll.
        expect(await engine.fireDueTimers()).toBe(1);
        expect(scheduler.has(other)).toBe(true);
        await engine.runTurn(other);
        expect(await engine.getConvoy(other)).toMatchObject({ value: 'Expired', status: 'done' });
        // Nothing was fired into a paused convoy: each still holds its two events and its armed timer.
        for (const key of [parked[0]!, parked.at(-1)!]) {
          expect(await engine.getConvoy(key)).toMatchObject({ status: 'paused', accepted: 2, seq: 1 });
          expect(await engine.getTimers(key)).toHaveLength(1);
        }

        // Sweeper: an accepted event whose wake-up was lost (the accept stored it, nobody scheduled it).
        const lost = h().key(order.type);
        await h().store.accept({
          key: lost,
          event: { type: 'OrderPlaced' },
          source: { kind: 'client' },
          fingerprint: 'lost-wake-up',
          now: clock.now(),
          maxBacklog: 100,
        });
        scheduler.clear();
        await engine.sweep();
        expect(scheduler.has(lost)).toBe(true);
        expect(scheduler.woken.filter((key) => parked.some((p) => p.id === key.id))).toEqual([]);

        // Stall watch: the lost convoy gets no turn (the test never runs it) and is reported once its
        // stall limit passed; no paused convoy is reported.
        clock.advance(stallAfterMs);
        await engine.sweep();
        expect(stalls.map((stall) => stall.key)).toEqual([lost]);

        // Resume: the paused convoy's timer, due meanwhile, fires at the next poll, and its waiting event
        // gets a turn.
        const resumed = parked[parked.length >> 1]!;
        scheduler.clear();
        await engine.resumeConvoy(resumed);
        expect(scheduler.has(resumed)).toBe(true);
        expect(await engine.fireDueTimers()).toBe(1);
        await engine.runTurn(resumed);
        expect(await engine.getConvoy(resumed)).toMatchObject({
          status: 'done',
          value: 'Canceled',
          accepted: 3,
        });
        scheduler.clear();
        await engine.sweep();
        expect(scheduler.has(resumed)).toBe(false);
        expect(scheduler.has(lost)).toBe(true);
      } finally {
        await engine.close();
      }
    },
    60_000,
  );

  it('the work lists page on from a cursor: every entry once per pass, also when the last one read left meanwhile', async () => {
    const { defer: order } = h().convoys.orders;
    const clock = h().clock;
    // Five convoys whose timeouts are due at the same instant (ties: store order decides) and who are
    // dirty (each has a waiting event).
    const keys = Array.from({ length: 5 }, () => h().key(order.type));
    for (const key of keys) {
      await h().send(key, { type: 'OrderPlaced' });
      await h().engine.runTurn(key);
    }
    for (const key of keys) await h().send(key, { type: 'ItemsShipped' });
    clock.advance(conformancePaymentTimeoutMs);
    const id = (key: ConvoyKey) => key.id;
    const mine = (key: ConvoyKey) => keys.some((k) => k.id === key.id);

    const allDue = (await h().store.dueTimers(clock.now(), 1_000)).items.map((due) => due.key).filter(mine);
    expect(allDue.map(id).sort()).toEqual(keys.map(id).sort());
    const first = await h().store.dueTimers(clock.now(), 2);
    expect(first.items.map((due) => due.key.id)).toEqual(allDue.slice(0, 2).map(id));
    expect(first.next).not.toBeNull();
    // The last timer read is processed before the next page is read: the page starts right after it.
    await h().send(allDue[1]!, { type: 'OrderCanceled' });
    await h().engine.runTurn(allDue[1]!);
    const second = await h().store.dueTimers(clock.now(), 2, first.next ?? undefined);
    expect(second.items.map((due) => due.key.id)).toEqual(allDue.slice(2, 4).map(id));
    const third = await h().store.dueTimers(clock.now(), 2, second.next ?? undefined);
    expect(third.items.map((due) => due.key.id)).toEqual(allDue.slice(4).map(id));
    expect(third.next).toBeNull();

    const allDirty = (await h().store.dirtyConvoys(1_000)).items.filter(mine);
    expect(allDirty).toHaveLength(4);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const { items, next } = await h().store.dirtyConvoys(1, after);
      seen.push(...items.filter(mine).map(id));
      if (next === null) break;
      after = next;
    }
    expect(seen).toEqual(allDirty.map(id));
  });

  it('a blocked convoy leaves the work lists and comes back, timers due meanwhile included, when a turn un-blocks it', async () => {
    const clock = h().clock;
    const machine = createMachine({
      id: 'park',
      initial: 'waiting',
      states: { waiting: { after: { 1000: 'late' }, on: { Poke: { target: 'waiting' } } }, late: {} },
    });
    const engineOn = (definition: ConvoyDefinition): ConvoyEngine =>
      createConvoyEngine({
        definitions: [definition],
        store: h().store,
        scheduler: new RecordingScheduler(),
        clock,
        timerPollMs: 0,
        sweepMs: 0,
        logger: silentLogger,
      });
    const v1 = engineOn(defineConvoy({ type: 'cf-park', machine, version: 1 }));
    const onlyV2 = engineOn(defineConvoy({ type: 'cf-park', machine, version: 2 }));
    const key = h().key('cf-park');
    const listed = async () => ({
      due: (await h().store.dueTimers(clock.now(), 1_000)).items.some((due) => due.key.id === key.id),
      dirty: (await h().store.dirtyConvoys(1_000)).items.some((dirty) => dirty.id === key.id),
    });
    try {
      await v1.accept({ ...key, event: { type: 'Poke' } });
      await v1.runTurn(key);
      // A node without version 1 blocks it (version_unknown); its timer is due a little later.
      await onlyV2.accept({ ...key, event: { type: 'Poke' } });
      await onlyV2.runTurn(key);
      expect(await onlyV2.getConvoy(key)).toMatchObject({ status: 'blocked', seq: 1, accepted: 2 });
      clock.advance(2_000);
      expect(await listed()).toEqual({ due: false, dirty: false });
      // An event for a blocked convoy asks for a turn (one may un-block it) without marking it dirty.
      expect((await onlyV2.accept({ ...key, event: { type: 'Poke' } })).seq).toBe(3);
      expect(await listed()).toEqual({ due: false, dirty: false });
      // A node with version 1 un-blocks it: its events are processed, its timer, due meanwhile, listed.
      await v1.runTurn(key);
      expect(await v1.getConvoy(key)).toMatchObject({ status: 'active', seq: 3 });
      expect(await listed()).toEqual({ due: true, dirty: false });
      expect(await v1.fireDueTimers()).toBe(1);
      await v1.runTurn(key);
      expect(await v1.getConvoy(key)).toMatchObject({ status: 'active', value: 'late' });
    } finally {
      await v1.close();
      await onlyV2.close();
    }
  });
}
