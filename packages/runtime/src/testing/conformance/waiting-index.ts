/**
 * Conformance: the per-type waiting index behind `convoy_oldest_waiting_event_age_seconds`. The oldest
 * unprocessed event of a type is read from an index the store keeps at accept, commit and redrive time.
 */
import { stepConvoy } from '@convoy/core/engine';
import { expect, it } from 'vitest';
import type { Harness } from './harness.ts';

/** Waiting-index tests. */
export function waitingIndexTests(h: () => Harness): void {
  it('the oldest waiting event of a type follows accepts and commits, and is null once every event is processed', async () => {
    const { defer } = h().convoys.orders;
    const first = h().key(defer.type);
    const second = h().key(defer.type);
    const store = h().store;
    // Other tests share the store: only this test's type is asked about, on fresh convoys of it.
    const before = await store.oldestWaiting(defer.type);
    expect(before).toBeNull();
    const t0 = h().clock.now();
    await h().send(first, { type: 'OrderPlaced' });
    h().clock.advance(1_000);
    await h().send(first, { type: 'PaymentConfirmed', amount: 1 });
    h().clock.advance(1_000);
    await h().send(second, { type: 'OrderPlaced' });
    expect(await store.oldestWaiting(defer.type)).toBe(t0);
    // Unknown types have nothing waiting.
    expect(await store.oldestWaiting('cf-nothing-here')).toBeNull();

    await h().engine.runTurn(first);
    expect(await store.oldestWaiting(defer.type)).toBe(t0 + 2_000);
    await h().engine.runTurn(second);
    expect(await store.oldestWaiting(defer.type)).toBeNull();

    h().clock.advance(1_000);
    await h().send(second, { type: 'OrderCanceled' });
    expect(await store.oldestWaiting(defer.type)).toBe(t0 + 3_000);
    await h().engine.runTurn(second);
    expect(await store.oldestWaiting(defer.type)).toBeNull();
  });

  it('a commit that leaves events behind re-scores the convoy by its next unprocessed event', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    const t0 = h().clock.now();
    for (const type of ['OrderPlaced', 'OrderCanceled', 'OrderCanceled']) {
      await h().send(key, { type });
      h().clock.advance(100);
    }
    // One event per batch: the commit processes seq 1 and leaves seq 2 (accepted at t0 + 100) waiting.
    const claim = await h().store.claim(key, {
      owner: 'one',
      leaseMs: 5_000,
      maxEvents: 1,
      now: h().clock.now(),
    });
    if (!claim) throw new Error('claim failed');
    const turn = stepConvoy({
      definition: defer,
      key,
      record: null,
      events: claim.events,
      now: h().clock.now(),
      ...(claim.incarnation === undefined ? {} : { incarnation: claim.incarnation }),
    });
    expect(turn.record.processedSeq).toBe(1);
    await h().store.commit(claim, turn);
    expect(await h().store.oldestWaiting(defer.type)).toBe(t0 + 100);
    await h().store.release(claim);
    await h().engine.runTurn(key);
    expect(await h().store.oldestWaiting(defer.type)).toBeNull();
  });
}
