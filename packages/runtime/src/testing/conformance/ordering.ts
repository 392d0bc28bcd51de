/**
 * Conformance: per-convoy order, consecutive seqs under concurrency, idempotency, backlog cap, reads.
 */
import { isConvoyError } from '@convoy/core';
import type { ConvoyError } from '@convoy/core';
import { expect, it } from 'vitest';
import type { Harness } from './harness.ts';

async function thrown(promise: Promise<unknown>): Promise<ConvoyError> {
  try {
    await promise;
  } catch (error) {
    if (isConvoyError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConvoyError, nothing was thrown');
}

/** Ingestion and ordering tests. */
export function orderingTests(h: () => Harness): void {
  it('applies the events of one convoy in acceptance order, each exactly once', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().start();
    for (let n = 1; n <= 40; n += 1) await h().send(key, { type: 'Add', n });
    await h().settle(key, 40);
    const history = await h().history(key);
    expect(history.map((entry) => entry.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(history.every((entry) => entry.outcome === 'applied')).toBe(true);
    const view = await h().engine.getConvoy(key);
    expect(view?.context).toEqual({ items: Array.from({ length: 40 }, (_, i) => i + 1) });
    expect(view).toMatchObject({ seq: 40, accepted: 40, status: 'active', value: 'open' });
  });

  it('gives concurrent accepts on one convoy distinct consecutive seqs, applied in seq order', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().start();
    const seqs = await Promise.all(
      Array.from({ length: 60 }, (_, i) => h().send(key, { type: 'Add', n: i })),
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await h().settle(key, 60);
    const nBySeq = new Map(seqs.map((seq, n) => [seq, n]));
    const view = await h().engine.getConvoy(key);
    expect(view?.context).toEqual({ items: Array.from({ length: 60 }, (_, i) => nBySeq.get(i + 1)) });
  });

  it('returns the original seq for a repeated idempotency key and applies the event once', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().start();
    const first = await h().engine.accept({ ...key, event: { type: 'Add', n: 7 }, idempotencyKey: 'k-1' });
    await h().send(key, { type: 'Add', n: 8 });
    const again = await h().engine.accept({ ...key, event: { type: 'Add', n: 7 }, idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(again).toMatchObject({ seq: 1, duplicate: true });
    await h().settle(key, 2);
    expect((await h().engine.getConvoy(key))?.context).toEqual({ items: [7, 8] });
    expect((await h().history(key)).map((entry) => entry.seq)).toEqual([1, 2]);
  });

  it('refuses a repeated idempotency key with a different event (idempotency_conflict), storing nothing', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().engine.accept({ ...key, event: { type: 'Add', n: 1 }, idempotencyKey: 'k-2' });
    const error = await thrown(
      h().engine.accept({ ...key, event: { type: 'Add', n: 2 }, idempotencyKey: 'k-2' }),
    );
    expect(error.code).toBe('idempotency_conflict');
    expect((await h().store.get(key))?.accepted).toBe(1);
  });

  it('keys idempotency per convoy', async () => {
    const { ledger } = h().convoys;
    const a = h().key(ledger.type);
    const b = h().key(ledger.type);
    await h().engine.accept({ ...a, event: { type: 'Add', n: 1 }, idempotencyKey: 'same' });
    const other = await h().engine.accept({ ...b, event: { type: 'Add', n: 2 }, idempotencyKey: 'same' });
    expect(other).toMatchObject({ seq: 1, duplicate: false });
  });

  it('answers backlog_full once maxBacklog events wait, and accepts again after processing', async () => {
    const { small } = h().convoys;
    const key = h().key(small.type);
    for (let n = 1; n <= 3; n += 1) await h().send(key, { type: 'Add', n });
    const error = await thrown(h().send(key, { type: 'Add', n: 4 }));
    expect(error.code).toBe('backlog_full');
    expect(error.retryable).toBe(true);
    expect((await h().store.get(key))?.accepted).toBe(3);
    await h().engine.runTurn(key);
    expect(await h().send(key, { type: 'Add', n: 4 })).toBe(4);
  });

  it('still answers a duplicate with its receipt when the backlog is full', async () => {
    const { small } = h().convoys;
    const key = h().key(small.type);
    await h().engine.accept({ ...key, event: { type: 'Add', n: 1 }, idempotencyKey: 'dup' });
    await h().send(key, { type: 'Add', n: 2 });
    await h().send(key, { type: 'Add', n: 3 });
    const again = await h().engine.accept({ ...key, event: { type: 'Add', n: 1 }, idempotencyKey: 'dup' });
    expect(again).toMatchObject({ seq: 1, duplicate: true });
  });

  it('reads a convoy never seen as null, and an accepted but unprocessed one with its counter', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    expect(await h().store.get(key)).toBeNull();
    expect(await h().engine.getConvoy(key)).toBeNull();
    expect(await h().engine.getHistory(key)).toBeNull();
    await h().send(key, { type: 'Add', n: 1 });
    expect(await h().store.get(key)).toMatchObject({ record: null, accepted: 1 });
    expect(await h().engine.getConvoy(key)).toMatchObject({
      seq: 0,
      accepted: 1,
      status: 'active',
      value: null,
    });
  });

  it('pages history in processing order', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    for (let n = 1; n <= 10; n += 1) await h().send(key, { type: 'Add', n });
    await h().engine.runTurn(key);
    const page = await h().store.history(key, { afterIndex: 3, limit: 4 });
    expect(page.map((entry) => entry.seq)).toEqual([5, 6, 7, 8]);
    expect((await h().store.history(key, { limit: 2 })).map((entry) => entry.seq)).toEqual([1, 2]);
    expect(await h().store.history(key, { afterIndex: 9 })).toEqual([]);
  });

  it('lists a convoy as dirty while it has unprocessed events, and not after', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().send(key, { type: 'Add', n: 1 });
    expect((await h().store.dirtyConvoys(1000)).items).toContainEqual(key);
    await h().engine.runTurn(key);
    expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key);
  });

  it('asks for a wake-up only when an accept makes the convoy dirty (or replays a key)', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    const accept = (n: number, idempotencyKey?: string) =>
      h().store.accept({
        key,
        event: { type: 'Add', n },
        source: { kind: 'client' },
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        fingerprint: `f${n}`,
        now: h().clock.now(),
        maxBacklog: 10,
      });
    expect(await accept(1)).toMatchObject({ seq: 1, wake: true });
    // Already dirty: the pending turn takes this one too.
    expect(await accept(2, 'k')).toMatchObject({ seq: 2, wake: false });
    expect(await accept(2, 'k')).toMatchObject({ seq: 2, duplicate: true, wake: true });
    await h().engine.runTurn(key);
    expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key);
    expect(await accept(3)).toMatchObject({ seq: 3, wake: true });
  });

  it('applies an event accepted during a turn without a wake-up of its own', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    await h().start();
    // Accepts racing a running turn: whichever lands after the claim finds the convoy dirty and
    // schedules nothing; the turn's release reports hasMore and the turn goes on.
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => h().send(key, { type: 'Add', n: round * 8 + i })),
      );
    }
    await h().settle(key, 40);
    expect((await h().history(key)).map((entry) => entry.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('delivers an event whose wake-up was lost once the sweeper runs', async () => {
    const { ledger } = h().convoys;
    const key = h().key(ledger.type);
    // Straight into the store: the crash between accept and scheduling.
    await h().store.accept({
      key,
      event: { type: 'Add', n: 5 },
      source: { kind: 'client' },
      fingerprint: 'f',
      now: h().clock.now(),
      maxBacklog: 10,
    });
    expect((await h().store.dirtyConvoys(1000)).items).toContainEqual(key);
    expect(await h().engine.sweep()).toBeGreaterThanOrEqual(1);
    await h().start();
    await h().settle(key, 1);
    expect((await h().engine.getConvoy(key))?.context).toEqual({ items: [5] });
  });
}
