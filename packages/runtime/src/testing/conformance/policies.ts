/**
 * Conformance: every unexpected-event policy, deferral release, guard rejection, done convoys.
 */
import { expect, it } from 'vitest';
import { outcomes, type Harness } from './harness.ts';

/** Policy tests, processed through the engine and read back from the store. */
export function policyTests(h: () => Harness): void {
  it('defer: an early event is held, then applied under its own seq once the convoy can take it', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().start();
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().settle(key, 2);
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'AwaitingPayment', deferred: 1, seq: 2 });
    await h().send(key, { type: 'PaymentConfirmed', amount: 10 });
    await h().settle(key, 3);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'deferred'],
      [3, 'applied'],
      [2, 'applied'],
    ]);
    expect(history[1]).toMatchObject({ reason: 'not_accepted_in_state' });
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'Shipped', deferred: 0 });
  });

  it('defer: several held events are re-checked in arrival order after every transition', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    for (const event of ['OrderPlaced', 'OrderCompleted', 'ItemsShipped'])
      await h().send(key, { type: event });
    await h().send(key, { type: 'PaymentConfirmed', amount: 5 });
    await h().engine.runTurn(key);
    expect(outcomes(await h().history(key))).toEqual([
      [1, 'applied'],
      [2, 'deferred'],
      [3, 'deferred'],
      [4, 'applied'],
      [3, 'applied'],
      [2, 'applied'],
    ]);
    expect(await h().engine.getConvoy(key)).toMatchObject({
      value: 'Completed',
      status: 'done',
      deferred: 0,
    });
  });

  it('reject: an early event is recorded as rejected and dropped', async () => {
    const { reject } = h().convoys.orders;
    const key = h().key(reject.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().send(key, { type: 'PaymentConfirmed', amount: 3 });
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'rejected'],
      [3, 'applied'],
    ]);
    expect(history[1]).toMatchObject({
      reason: 'not_accepted_in_state',
      from: 'AwaitingPayment',
      to: 'AwaitingPayment',
    });
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'AwaitingShipment', deferred: 0 });
    expect(await h().store.deadLetters(key)).toEqual([]);
  });

  it('deadLetter: an early event is recorded and kept in the dead letters', async () => {
    const { deadLetter } = h().convoys.orders;
    const key = h().key(deadLetter.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped', note: 'early' });
    await h().engine.runTurn(key);
    expect(outcomes(await h().history(key))).toEqual([
      [1, 'applied'],
      [2, 'deadLettered'],
    ]);
    const letters = await h().store.deadLetters(key);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      key,
      seq: 2,
      event: { type: 'ItemsShipped', note: 'early' },
      reason: 'not_accepted_in_state',
    });
  });

  it('ignore: an early event is recorded as ignored and dropped', async () => {
    const { ignore } = h().convoys.orders;
    const key = h().key(ignore.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().engine.runTurn(key);
    expect(outcomes(await h().history(key))).toEqual([
      [1, 'applied'],
      [2, 'ignored'],
    ]);
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'AwaitingPayment', deferred: 0, seq: 2 });
  });

  it('guard-rejected: an event the state handles but whose guard refuses it follows guardRejected (reject)', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'PaymentConfirmed', amount: 0 });
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'rejected'],
    ]);
    expect(history[1]).toMatchObject({ reason: 'guard_rejected' });
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'AwaitingPayment', deferred: 0 });
  });

  it('a done convoy records later events as rejected (convoy_done) and never applies them', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderCanceled' });
    await h().engine.runTurn(key);
    expect(await h().engine.getConvoy(key)).toMatchObject({ status: 'done', value: 'Canceled' });
    await h().send(key, { type: 'OrderPlaced' });
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'rejected'],
    ]);
    expect(history[1]).toMatchObject({ reason: 'convoy_done' });
    expect(await h().engine.getConvoy(key)).toMatchObject({ status: 'done', value: 'Canceled', seq: 2 });
  });
}
