/**
 * Conformance: exclusive claims, fencing of stale claimers, isolation of stored state.
 */
import { isConvoyError } from '@convoy/core';
import { stepConvoy } from '@convoy/core/engine';
import type { ConvoyKey } from '@convoy/core';
import type { Claim } from '@convoy/core/store';
import { expect, it } from 'vitest';
import type { Harness } from './harness.ts';

const claimOptions = (owner: string, now: number) => ({ owner, leaseMs: 1_000, maxEvents: 100, now });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return isConvoyError(error) ? error.code : `not a ConvoyError: ${String(error)}`;
  }
}

/** Step a claim's events with the harness' definition, as a worker would. */
function stepOf(h: Harness, claim: Claim, now: number) {
  const definition = h.convoys.all.find((candidate) => candidate.type === claim.key.type);
  if (!definition) throw new Error(`no conformance definition for ${claim.key.type}`);
  return stepConvoy({ definition, key: claim.key, record: claim.record, events: claim.events, now });
}

async function acceptedLedger(h: Harness, count: number): Promise<ConvoyKey> {
  const key = h.key(h.convoys.ledger.type);
  for (let n = 1; n <= count; n += 1) await h.send(key, { type: 'Add', n });
  return key;
}

/** Claim and fencing tests, driven directly against the store. */
export function claimTests(h: () => Harness): void {
  it('a claim is exclusive while its lease lives: a second claim gets null', async () => {
    const key = await acceptedLedger(h(), 1);
    const t0 = h().clock.now();
    const first = await h().store.claim(key, claimOptions('a', t0));
    expect(first).not.toBeNull();
    expect(await h().store.claim(key, claimOptions('b', t0 + 999))).toBeNull();
    if (!first) return;
    await h().store.release(first);
    expect(await h().store.claim(key, claimOptions('b', t0 + 10))).not.toBeNull();
  });

  it('a claim returns the unprocessed events in seq order, at most maxEvents', async () => {
    const key = await acceptedLedger(h(), 5);
    const claim = await h().store.claim(key, { ...claimOptions('a', h().clock.now()), maxEvents: 3 });
    expect(claim?.record).toBeNull();
    expect(claim?.events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(claim?.events[0]).toMatchObject({ event: { type: 'Add', n: 1 }, source: { kind: 'client' } });
  });

  it('a stale claimer cannot commit: after its lease expired and another claimed, its commit is refused and invisible', async () => {
    const key = await acceptedLedger(h(), 2);
    const t0 = h().clock.now();
    const stale = await h().store.claim(key, claimOptions('paused-worker', t0));
    if (!stale) throw new Error('first claim failed');
    const staleTurn = stepOf(h(), stale, t0);
    // The first worker pauses past its lease; a second worker takes the convoy over.
    const fresh = await h().store.claim(key, claimOptions('fresh-worker', t0 + 1_001));
    if (!fresh) throw new Error('takeover of an expired lease failed');
    expect(fresh.epoch).toBeGreaterThan(stale.epoch);
    expect(await codeOf(h().store.commit(stale, staleTurn))).toBe('stale_claim');
    expect(await codeOf(h().store.ackEffects(stale, []))).toBe('stale_claim');
    expect(await h().store.get(key)).toMatchObject({ record: null, accepted: 2 });
    expect(await h().store.history(key)).toEqual([]);
    // The fresh claimer's commit goes through, exactly once.
    await h().store.commit(fresh, stepOf(h(), fresh, t0 + 1_002));
    expect((await h().store.history(key)).map((entry) => entry.seq)).toEqual([1, 2]);
    // A late release by the stale worker must not free the fresh worker's lease.
    await h().store.release(stale);
    expect(await h().store.claim(key, claimOptions('third', t0 + 1_010))).toBeNull();
  });

  it('a commit must follow the stored revision', async () => {
    const key = await acceptedLedger(h(), 1);
    const t0 = h().clock.now();
    const claim = await h().store.claim(key, claimOptions('a', t0));
    if (!claim) throw new Error('claim failed');
    const turn = stepOf(h(), claim, t0);
    const skipped = { ...turn, record: { ...turn.record, revision: turn.record.revision + 1 } };
    expect(await codeOf(h().store.commit(claim, skipped))).toBe('stale_claim');
    expect(await h().store.get(key)).toMatchObject({ record: null });
    expect(await h().store.commit(claim, turn)).toMatchObject({ revision: 1, hasMore: false });
  });

  it('one claim may commit several revisions in a row (e.g. a dead letter after the step)', async () => {
    const key = await acceptedLedger(h(), 1);
    const t0 = h().clock.now();
    const claim = await h().store.claim(key, claimOptions('a', t0));
    if (!claim) throw new Error('claim failed');
    const turn = stepOf(h(), claim, t0);
    await h().store.commit(claim, turn);
    const letter = {
      key,
      seq: 1,
      event: { type: 'Add', n: 1 },
      reason: 'handler_error' as const,
      error: 'x',
      at: t0,
    };
    const second = {
      ...turn,
      record: { ...turn.record, revision: 2 },
      history: [],
      effects: [],
      deadLetters: [letter],
    };
    expect(await h().store.commit(claim, second)).toMatchObject({ revision: 2, hasMore: false });
    expect(await h().store.deadLetters(key)).toEqual([letter]);
    expect((await h().store.history(key)).map((entry) => entry.seq)).toEqual([1]);
    expect((await h().store.get(key))?.record).toMatchObject({ revision: 2, processedSeq: 1 });
  });

  it('a commit reports hasMore while events wait beyond the committed seq', async () => {
    const key = await acceptedLedger(h(), 3);
    const t0 = h().clock.now();
    const claim = await h().store.claim(key, { ...claimOptions('a', t0), maxEvents: 2 });
    if (!claim) throw new Error('claim failed');
    expect(await h().store.commit(claim, stepOf(h(), claim, t0))).toMatchObject({ hasMore: true });
    expect(await h().store.release(claim)).toEqual({ hasMore: true });
    const next = await h().store.claim(key, claimOptions('a', t0 + 1));
    expect(next?.events.map((event) => event.seq)).toEqual([3]);
    expect(next?.record?.processedSeq).toBe(2);
  });

  it('a commit with releaseWhenIdle gives the lease back only when nothing waits', async () => {
    const key = await acceptedLedger(h(), 3);
    const t0 = h().clock.now();
    // Events wait beyond the batch: the claim stays held (no release), another claimer gets null.
    const claim = await h().store.claim(key, { ...claimOptions('a', t0), maxEvents: 2 });
    if (!claim) throw new Error('claim failed');
    const partial = await h().store.commit(claim, stepOf(h(), claim, t0), { releaseWhenIdle: true });
    expect(partial).toMatchObject({ hasMore: true });
    expect(partial.released ?? false).toBe(false);
    expect(await h().store.claim(key, claimOptions('b', t0 + 1))).toBeNull();
    expect(await h().store.release(claim)).toEqual({ hasMore: true });
    // The last batch leaves the convoy idle: released in the same step, so another claimer gets it at once.
    const last = await h().store.claim(key, claimOptions('a', t0 + 2));
    if (!last) throw new Error('claim failed');
    const done = await h().store.commit(last, stepOf(h(), last, t0 + 2), { releaseWhenIdle: true });
    expect(done).toMatchObject({ hasMore: false, released: true });
    const next = await h().store.claim(key, claimOptions('b', t0 + 3));
    expect(next).not.toBeNull();
    expect(next?.epoch).toBeGreaterThan(last.epoch);
    expect(next?.events).toEqual([]);
    expect(next?.record?.processedSeq).toBe(3);
    // The released claim is fenced off like any stale one.
    expect(await codeOf(h().store.ackEffects(last, []))).toBe('stale_claim');
  });

  it('a commit with releaseWhenIdle keeps the lease while its effects wait', async () => {
    const key = h().key(h().convoys.ledger.type);
    await h().send(key, { type: 'Hold' });
    const t0 = h().clock.now();
    const claim = await h().store.claim(key, claimOptions('a', t0));
    if (!claim) throw new Error('claim failed');
    const turn = stepOf(h(), claim, t0);
    expect(turn.effects.length).toBeGreaterThan(0);
    const result = await h().store.commit(claim, turn, { releaseWhenIdle: true });
    expect(result.released ?? false).toBe(false);
    expect(await h().store.claim(key, claimOptions('b', t0 + 1))).toBeNull();
    await h().store.ackEffects(
      claim,
      turn.effects.map((effect) => effect.id),
    );
  });

  it('an accept asked to claim claims the convoy it woke: the caller owns the turn', async () => {
    const key = h().key(h().convoys.ledger.type);
    const t0 = h().clock.now();
    const input = (n: number, now: number) => ({
      key,
      event: { type: 'Add', n },
      source: { kind: 'client' as const },
      fingerprint: `fp-${n}`,
      now,
      maxBacklog: 100,
      claim: claimOptions('a', now),
    });
    const first = await h().store.accept(input(1, t0));
    expect(first).toMatchObject({ seq: 1, duplicate: false, wake: true });
    expect(first.claim?.events.map((event) => event.seq)).toEqual([1]);
    expect(first.claim?.record).toBeNull();
    // Exclusive like any claim.
    expect(await h().store.claim(key, claimOptions('b', t0 + 1))).toBeNull();
    // The convoy is dirty now: the next accept wakes nothing and claims nothing.
    const second = await h().store.accept(input(2, t0 + 2));
    expect(second).toMatchObject({ seq: 2, wake: false });
    expect(second.claim).toBeUndefined();
    // The accept's claim commits like any claim; its release reports the event that came meanwhile.
    const claim = first.claim!;
    expect(await h().store.commit(claim, stepOf(h(), claim, t0 + 3))).toMatchObject({ hasMore: true });
    expect(await h().store.release(claim)).toEqual({ hasMore: true });
  });

  it('an accept asked to claim takes no claim while a live lease holds the convoy', async () => {
    const key = await acceptedLedger(h(), 1);
    const t0 = h().clock.now();
    const holder = await h().store.claim(key, claimOptions('a', t0));
    if (!holder) throw new Error('claim failed');
    await h().store.commit(holder, stepOf(h(), holder, t0));
    // Clean (everything processed) but still held: the accept wakes, and must not claim.
    const receipt = await h().store.accept({
      key,
      event: { type: 'Add', n: 2 },
      source: { kind: 'client' },
      fingerprint: 'fp-2',
      now: t0 + 1,
      maxBacklog: 100,
      claim: claimOptions('b', t0 + 1),
    });
    expect(receipt).toMatchObject({ seq: 2, wake: true });
    expect(receipt.claim).toBeUndefined();
    expect(await h().store.release(holder)).toEqual({ hasMore: true });
  });

  it('a turn that lost its claim gives up without writing, and the new owner processes everything once', async () => {
    const key = await acceptedLedger(h(), 3);
    const t0 = h().clock.now();
    const other = await h().store.claim(key, claimOptions('other', t0));
    if (!other) throw new Error('claim failed');
    await h().engine.runTurn(key); // lease held elsewhere: nothing happens
    expect(await h().store.get(key)).toMatchObject({ record: null });
    h().clock.advance(1_001);
    await h().engine.runTurn(key); // the lease expired: the engine takes over
    expect(await codeOf(h().store.commit(other, stepOf(h(), other, t0)))).toBe('stale_claim');
    expect((await h().history(key)).map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect((await h().engine.getConvoy(key))?.context).toEqual({ items: [1, 2, 3] });
  });

  it('history with `last` reads the newest entries, in processing order', async () => {
    const key = await acceptedLedger(h(), 4);
    await h().engine.runTurn(key);
    const seqsOf = (entries: readonly { seq: number }[]) => entries.map((entry) => entry.seq);
    expect(seqsOf(await h().store.history(key, { last: 2 }))).toEqual([3, 4]);
    expect(seqsOf(await h().store.history(key, { last: 10 }))).toEqual([1, 2, 3, 4]);
    expect(await h().store.history(key, { last: 0 })).toEqual([]);
    expect(await h().store.history(h().key(h().convoys.ledger.type), { last: 2 })).toEqual([]);
  });

  it('stored state cannot be changed through returned or passed-in objects', async () => {
    const key = await acceptedLedger(h(), 1);
    await h().engine.runTurn(key);
    const stored = await h().store.get(key);
    const record = stored?.record as { context: { items: number[] } } | null | undefined;
    record?.context.items.push(99);
    const history = await h().store.history(key);
    (history[0] as { seq: number }).seq = 42;
    expect((await h().store.get(key))?.record?.context).toEqual({ items: [1] });
    expect((await h().store.history(key))[0]?.seq).toBe(1);
    // An event object changed by its producer after acceptance stays as accepted.
    const event = { type: 'Add', n: 2, tags: ['a'] };
    await h().store.accept({
      key,
      event,
      source: { kind: 'client' },
      fingerprint: 'x',
      now: h().clock.now(),
      maxBacklog: 10,
    });
    event.tags.push('mutated');
    event.n = 3;
    const claim = await h().store.claim(key, claimOptions('a', h().clock.now()));
    expect(claim?.events[0]?.event).toEqual({ type: 'Add', n: 2, tags: ['a'] });
  });
}
