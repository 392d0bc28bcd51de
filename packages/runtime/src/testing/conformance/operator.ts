/**
 * Conformance: the status index (listing by status, state and update time, with cursors) and the
 * operator actions (dead letters listed, redriven in order and discarded; pause, resume, retry), each
 * atomic and recorded in the convoy's history.
 */
import { isConvoyError } from '@convoy/core';
import { blockedTurn } from '@convoy/core/engine';
import type { ConvoyErrorCode, ConvoyKey } from '@convoy/core';
import { expect, it } from 'vitest';
import { harnessLeaseMs, outcomes, type Harness } from './harness.ts';

async function expectCode(promise: Promise<unknown>, code: ConvoyErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isConvoyError(error) ? error.code : error).toBe(code);
}

/** Operator tests, through the engine's gateway. */
export function operatorTests(h: () => Harness): void {
  const ids = (items: ReadonlyArray<{ readonly id: string }>): string[] =>
    items.map((item) => item.id).sort();

  it('the status index lists a convoy as active from its first accepted event, and under its new status after each commit', async () => {
    const { ledger } = h().convoys;
    const open = h().key(ledger.type);
    const closed = h().key(ledger.type);
    await h().send(open, { type: 'Add', n: 1 });
    await h().send(closed, { type: 'Add', n: 2 });
    // Not processed yet: both are listed as active, with no state value.
    const before = await h().engine.listConvoys({ type: ledger.type, status: 'active' });
    expect(ids(before.items)).toEqual([open.id, closed.id].sort());
    expect(before.items.every((view) => view.value === null)).toBe(true);
    await h().send(closed, { type: 'Close' });
    await h().engine.runTurn(open);
    await h().engine.runTurn(closed);
    expect(ids((await h().engine.listConvoys({ type: ledger.type, status: 'active' })).items)).toEqual([
      open.id,
    ]);
    expect(ids((await h().engine.listConvoys({ type: ledger.type, status: 'done' })).items)).toEqual([
      closed.id,
    ]);
    expect(ids((await h().engine.listConvoys({ type: ledger.type })).items)).toEqual(
      [open.id, closed.id].sort(),
    );
    expect(await h().engine.countConvoys(ledger.type)).toEqual({
      active: 1,
      done: 1,
      blocked: 0,
      stalled: 0,
      paused: 0,
    });
  });

  it('cursor pages list every convoy exactly once, newest update first, even when updates share a time', async () => {
    const { ledger } = h().convoys;
    const keys: ConvoyKey[] = [];
    for (let i = 0; i < 7; i += 1) {
      const key = h().key(ledger.type);
      keys.push(key);
      await h().send(key, { type: 'Add', n: i });
      // Pairs of convoys share an update time: page boundaries fall inside ties.
      if (i % 2 === 1) h().clock.advance(10);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await h().engine.listConvoys({
        type: ledger.type,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((view) => view.id));
      if (page.cursor === null) break;
      cursor = page.cursor;
    }
    expect(seen.sort()).toEqual(keys.map((key) => key.id).sort());
    const newest = await h().engine.listConvoys({ type: ledger.type, limit: 1 });
    expect(newest.items[0]?.id).toBe(keys[6]?.id);
  });

  it('filters by update time and by state value', async () => {
    const { defer } = h().convoys.orders;
    const early = h().key(defer.type);
    const late = h().key(defer.type);
    await h().send(early, { type: 'OrderPlaced' });
    await h().engine.runTurn(early);
    h().clock.advance(1_000);
    const cut = h().clock.now();
    await h().send(late, { type: 'OrderPlaced' });
    await h().send(late, { type: 'PaymentConfirmed', amount: 5 });
    await h().engine.runTurn(late);
    const recent = await h().engine.listConvoys({ type: defer.type, updatedAfter: cut });
    expect(ids(recent.items)).toEqual([late.id]);
    const awaiting = await h().engine.listConvoys({ type: defer.type, state: 'AwaitingPayment' });
    expect(ids(awaiting.items)).toEqual([early.id]);
    expect((await h().engine.listConvoys({ type: defer.type, state: 'Nowhere' })).items).toEqual([]);
  });

  it('dead letters are listed per convoy and per type, and a redrive re-applies them in order once the convoy can take them', async () => {
    const { deadLetter } = h().convoys.orders;
    const key = h().key(deadLetter.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().send(key, { type: 'OrderCompleted' });
    await h().engine.runTurn(key);
    expect((await h().engine.getDeadLetters(key)).map((letter) => letter.seq)).toEqual([2, 3]);
    const byType = await h().engine.listDeadLetters({ type: deadLetter.type });
    expect(byType.items.map((letter) => [letter.key.id, letter.seq])).toEqual([
      [key.id, 2],
      [key.id, 3],
    ]);
    // The fleet count reads the index: one convoy holds them, whatever the number of letters.
    expect(await h().engine.countDeadLetterConvoys(deadLetter.type)).toBe(1);

    await h().send(key, { type: 'PaymentConfirmed', amount: 9 });
    await h().engine.runTurn(key);
    const result = await h().engine.redriveDeadLetters(key, { by: 'ops@example' });
    expect(result.redriven).toEqual([
      { seq: 2, newSeq: 5 },
      { seq: 3, newSeq: 6 },
    ]);
    expect(await h().engine.getDeadLetters(key)).toEqual([]);
    expect((await h().engine.listDeadLetters({ type: deadLetter.type })).items).toEqual([]);
    expect(await h().engine.countDeadLetterConvoys(deadLetter.type)).toBe(0);
    expect((await h().engine.getInbox(key))?.map((event) => [event.seq, event.source])).toEqual([
      [5, { kind: 'redrive', deadLetterSeq: 2 }],
      [6, { kind: 'redrive', deadLetterSeq: 3 }],
    ]);
    await h().engine.runTurn(key);
    const history = await h().history(key);
    expect(outcomes(history)).toEqual([
      [1, 'applied'],
      [2, 'deadLettered'],
      [3, 'deadLettered'],
      [4, 'applied'],
      [2, 'operator'],
      [3, 'operator'],
      [5, 'applied'],
      [6, 'applied'],
    ]);
    expect(history[4]).toMatchObject({ operator: { action: 'redrive', newSeq: 5, by: 'ops@example' } });
    expect(await h().engine.getConvoy(key)).toMatchObject({ value: 'Completed', status: 'done' });
  });

  it('redrive of one seq moves only that letter; an unknown seq is dead_letter_not_found', async () => {
    const { deadLetter } = h().convoys.orders;
    const key = h().key(deadLetter.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().send(key, { type: 'OrderCompleted' });
    await h().engine.runTurn(key);
    expect((await h().engine.redriveDeadLetters(key, { seq: 3 })).redriven).toEqual([{ seq: 3, newSeq: 4 }]);
    expect((await h().engine.getDeadLetters(key)).map((letter) => letter.seq)).toEqual([2]);
    await expectCode(h().engine.redriveDeadLetters(key, { seq: 3 }), 'dead_letter_not_found');
    await expectCode(h().engine.redriveDeadLetters(h().key(deadLetter.type)), 'convoy_not_found');
  });

  it('discard drops a dead letter and records it; discarding it again is dead_letter_not_found', async () => {
    const { deadLetter } = h().convoys.orders;
    const key = h().key(deadLetter.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped', note: 'early' });
    await h().engine.runTurn(key);
    await h().engine.discardDeadLetter(key, 2, { by: 'ops' });
    expect(await h().engine.getDeadLetters(key)).toEqual([]);
    const last = (await h().history(key)).at(-1);
    expect(last).toMatchObject({
      seq: 2,
      outcome: 'operator',
      event: { type: 'ItemsShipped', note: 'early' },
      operator: { action: 'discard', by: 'ops' },
    });
    await expectCode(h().engine.discardDeadLetter(key, 2), 'dead_letter_not_found');
    expect((await h().engine.listDeadLetters({ type: deadLetter.type })).items).toEqual([]);
  });

  it('a paused convoy accepts events but takes no turns; resume processes them in order', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().send(key, { type: 'Add', n: 1 });
    await h().engine.runTurn(key);
    const changed: string[] = [];
    const unsubscribe = h().engine.subscribe?.((changedKey) => changed.push(changedKey.id));
    const paused = await h().engine.pauseConvoy(key, { by: 'ops' });
    expect(paused.status).toBe('paused');
    // Live views hear about operator actions like about commits.
    expect(changed).toEqual([key.id]);
    unsubscribe?.();
    expect(ids((await h().engine.listConvoys({ type: ledger.type, status: 'paused' })).items)).toEqual([
      key.id,
    ]);
    await h().send(key, { type: 'Add', n: 2 });
    await h().send(key, { type: 'Add', n: 3 });
    await h().engine.runTurn(key);
    expect(await h().engine.getConvoy(key)).toMatchObject({ status: 'paused', seq: 1, accepted: 3 });
    expect((await h().engine.getInbox(key))?.map((event) => event.seq)).toEqual([2, 3]);
    await expectCode(h().engine.pauseConvoy(key), 'operation_not_allowed');

    expect((await h().engine.resumeConvoy(key)).status).toBe('active');
    await h().engine.runTurn(key);
    expect(await h().engine.getConvoy(key)).toMatchObject({
      status: 'active',
      seq: 3,
      context: { items: [1, 2, 3] },
    });
    const actions = (await h().history(key)).flatMap((entry) =>
      entry.operator ? [entry.operator.action] : [],
    );
    expect(actions).toEqual(['pause', 'resume']);
    await expectCode(h().engine.resumeConvoy(key), 'operation_not_allowed');
  });

  it('pause fences off a worker mid-turn: its commit is refused as stale_claim', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().send(key, { type: 'Add', n: 1 });
    await h().engine.runTurn(key);
    await h().send(key, { type: 'Add', n: 2 });
    const claim = await h().store.claim(key, {
      owner: 'slow-worker',
      leaseMs: harnessLeaseMs,
      maxEvents: 10,
      now: h().clock.now(),
    });
    expect(claim).not.toBeNull();
    await h().engine.pauseConvoy(key);
    const record = claim!.record!;
    const commit = blockedTurn(record, 'anything', h().clock.now());
    await expectCode(h().store.commit(claim!, commit), 'stale_claim');
    expect(await h().engine.getConvoy(key)).toMatchObject({ status: 'paused', seq: 1 });
  });

  it('retry clears a blocked convoy and processes its waiting head now', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().send(key, { type: 'Add', n: 1 });
    await h().engine.runTurn(key);
    const claim = await h().store.claim(key, {
      owner: 'test',
      leaseMs: harnessLeaseMs,
      maxEvents: 10,
      now: h().clock.now(),
    });
    await h().store.commit(claim!, blockedTurn(claim!.record!, 'operator test', h().clock.now()));
    await h().store.release(claim!);
    await h().send(key, { type: 'Add', n: 2 });
    await h().engine.runTurn(key);
    expect(await h().engine.getConvoy(key)).toMatchObject({ status: 'blocked', seq: 1 });
    expect(ids((await h().engine.listConvoys({ type: ledger.type, status: 'blocked' })).items)).toEqual([
      key.id,
    ]);
    await expectCode(h().engine.pauseConvoy(key), 'operation_not_allowed');

    const retried = await h().engine.retryConvoy(key);
    expect(retried.status).toBe('active');
    expect(retried.blockedReason).toBeUndefined();
    await h().engine.runTurn(key);
    expect(await h().engine.getConvoy(key)).toMatchObject({
      status: 'active',
      seq: 2,
      context: { items: [1, 2] },
    });
    expect((await h().history(key)).at(-2)).toMatchObject({
      outcome: 'operator',
      operator: { action: 'retry' },
    });
    await expectCode(h().engine.retryConvoy(key), 'operation_not_allowed');
  });

  it('deferred events and armed timers are readable; unknown convoys read as null', async () => {
    const { defer } = h().convoys.orders;
    const key = h().key(defer.type);
    await h().send(key, { type: 'OrderPlaced' });
    await h().send(key, { type: 'ItemsShipped' });
    await h().engine.runTurn(key);
    expect((await h().engine.getDeferred(key))?.map((event) => event.seq)).toEqual([2]);
    const timers = await h().engine.getTimers(key);
    expect(timers).toHaveLength(1);
    expect(timers?.[0]?.dueAt).toBeGreaterThan(h().clock.now());
    const unknown = h().key(defer.type);
    expect(await h().engine.getDeferred(unknown)).toBeNull();
    expect(await h().engine.getTimers(unknown)).toBeNull();
    expect(await h().engine.getInbox(unknown)).toBeNull();
    await h().engine.ping();
  });
}
