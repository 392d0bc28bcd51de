/**
 * Conformance: effects at least once through the outbox, durable timers, parallel convoys.
 */
import { stepConvoy } from '@convoy/core/engine';
import { expect, it } from 'vitest';
import { conformancePaymentTimeoutMs } from '../conformance-convoys.ts';
import { eventually, outcomes, type Harness } from './harness.ts';

/** Effect, timer and parallelism tests. */
export function effectAndTimerTests(h: () => Harness): void {
  it('runs each effect once in the happy path, with its stable id as idempotency key', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().start();
    await h().send(key, { type: 'OrderPlaced' });
    const seq = await h().send(key, { type: 'PaymentConfirmed', amount: 12 });
    await h().settle(key, seq);
    await eventually(() => expect(h().log.runsFor(key.id)).toHaveLength(1));
    const [run] = h().log.runsFor(key.id);
    expect(run).toMatchObject({
      // `<type>|<id>|<seq>|<index>|<incarnation>`
      id: expect.stringMatching(new RegExp(`^${key.type}\\|${key.id}\\|2\\|0\\|\\w+$`)),
      action: 'notifyCustomer',
      params: { amount: 12 },
      seq: 2,
      context: { paid: 12 },
    });
    await h().send(key, { type: 'ItemsShipped' });
    await h().settle(key, 3);
    await eventually(async () => expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key));
    expect(h().log.runsFor(key.id)).toHaveLength(1);
  });

  it('re-runs an effect committed but not acknowledged before a crash, on the next claim', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'PaymentConfirmed', amount: 3 });
    const t0 = h().clock.now();
    const claim = await h().store.claim(key, { owner: 'doomed', leaseMs: 1_000, maxEvents: 10, now: t0 });
    if (!claim) throw new Error('claim failed');
    const turn = stepConvoy({
      definition: defer,
      key,
      record: null,
      events: claim.events,
      now: t0,
      ...(claim.incarnation === undefined ? {} : { incarnation: claim.incarnation }),
    });
    expect(turn.effects).toHaveLength(1);
    const effectId = turn.effects[0]!.id;
    await h().store.commit(claim, turn);
    // The worker dies here: committed, effect not run, not acknowledged.
    expect((await h().store.dirtyConvoys(1000)).items).toContainEqual(key);
    h().clock.advance(1_001);
    await h().engine.runTurn(key);
    expect(h().log.runsOf(effectId)).toBe(1);
    await h().engine.runTurn(key);
    expect(h().log.runsOf(effectId)).toBe(1);
    expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key);
  });

  it('fires a due timer once through the inbox and lists it no more once processed', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().engine.runTurn(key);
    const mine = async (now: number) =>
      (await h().store.dueTimers(now, 1000)).items.filter((due) => due.key.id === key.id);
    expect(await mine(h().clock.now())).toEqual([]);
    h().clock.advance(conformancePaymentTimeoutMs);
    const due = await mine(h().clock.now());
    expect(due).toHaveLength(1);
    expect(due[0]?.timer.dueAt).toBe(h().clock.now());
    expect(await h().engine.fireDueTimers()).toBeGreaterThanOrEqual(1);
    // Polling again before the firing is processed does not fire it twice.
    await h().engine.fireDueTimers();
    expect((await h().store.get(key))?.accepted).toBe(2);
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(history[1]?.event.type).toMatch(/^xstate\.after\./);
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'Expired', status: 'done' });
    expect(await mine(h().clock.now() + 10_000)).toEqual([]);
  });

  it('lists due timers oldest first, at most limit', async () => {
    const { defer } = h().convoys.orders;
    const first = h().key(defer.type);
    const second = h().key(defer.type);
    await h().send(first, { type: 'OrderPlaced' });
    await h().engine.runTurn(first);
    h().clock.advance(100);
    await h().send(second, { type: 'OrderPlaced' });
    await h().engine.runTurn(second);
    const dueFirst = h().clock.now() - 100 + conformancePaymentTimeoutMs;
    expect((await h().store.dueTimers(dueFirst - 1, 10)).items).toEqual([]);
    expect((await h().store.dueTimers(dueFirst, 10)).items.map((due) => due.key)).toEqual([first]);
    const both = (await h().store.dueTimers(dueFirst + 100, 10)).items;
    expect(both.map((due) => due.key)).toEqual([first, second]);
    expect(both.map((due) => due.timer.dueAt)).toEqual([dueFirst, dueFirst + 100]);
    expect((await h().store.dueTimers(dueFirst + 100, 1)).items.map((due) => due.key)).toEqual([first]);
  });

  it('a timer cancelled by leaving its state is no longer due', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().engine.runTurn(key);
    await h().send(key, { type: 'PaymentConfirmed', amount: 1 });
    await h().engine.runTurn(key);
    h().clock.advance(conformancePaymentTimeoutMs * 2);
    expect(
      (await h().store.dueTimers(h().clock.now(), 1000)).items.filter((due) => due.key.id === key.id),
    ).toEqual([]);
  });

  it('a firing that arrives after its state was left is ignored as stale_timer', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().engine.runTurn(key);
    await h().send(key, { type: 'PaymentConfirmed', amount: 1 });
    h().clock.advance(conformancePaymentTimeoutMs);
    await h().engine.fireDueTimers();
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'ignored'],
    ]);
    expect(history[2]).toMatchObject({ reason: 'stale_timer' });
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'AwaitingShipment', status: 'active' });
  });

  it('runs different convoys in parallel: one convoy busy in a slow effect does not hold up another', async () => {
    const { ledger } = h().convoys;
    const slow = h().key(ledger.type);
    const fast = h().key(ledger.type);
    const release = h().log.gate(slow.id);
    await h().start();
    try {
      await h().settle(slow, await h().send(slow, { type: 'Hold' }));
      const seq = await h().send(fast, { type: 'Add', n: 1 });
      expect(await h().engine.waitForSeq(fast, seq, 3_000)).toBe(true);
      expect(h().log.runsFor(slow.id)).toHaveLength(0);
    } finally {
      release();
    }
    await eventually(() => expect(h().log.runsFor(slow.id)).toHaveLength(1));
  });

  it('many convoys with concurrent producers each end with history 1..n in acceptance order', async () => {
    const { ledger } = h().convoys;
    const keys = Array.from({ length: 8 }, () => h().key(ledger.type));
    await h().start();
    const receipts = await Promise.all(
      keys.flatMap((key) =>
        Array.from({ length: 25 }, (_, n) =>
          h()
            .send(key, { type: 'Add', n })
            .then((seq) => ({ key, n, seq })),
        ),
      ),
    );
    for (const key of keys) {
      await h().settle(key, 25);
      const mine = receipts.filter((receipt) => receipt.key === key).sort((a, b) => a.seq - b.seq);
      expect(mine.map((receipt) => receipt.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect((await h().history(key)).map((entry) => entry.seq)).toEqual(mine.map((receipt) => receipt.seq));
      expect((await h().engine.getConvoy(key))?.context).toEqual({ items: mine.map((receipt) => receipt.n) });
    }
  });
}
