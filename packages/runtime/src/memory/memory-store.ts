/**
 * The embedded store: every convoy in one process's memory. Same ordering, idempotency, fencing and
 * timer semantics as the Redis store (both pass `describeStoreConformance`), but NOT durable.
 */
import { randomUUID } from 'node:crypto';
import { ConvoyError } from '@convoy/core';
import type {
  Clock,
  ConvoyKey,
  ConvoyRecord,
  ConvoyStatus,
  RedriveResult,
  DeadLetter,
  EffectIntent,
  HistoryEntry,
  InboxEvent,
  TimerArm,
} from '@convoy/core';
import type {
  AcceptInput,
  AcceptReceipt,
  Claim,
  ClaimOptions,
  CommitOptions,
  CommitResult,
  ConvoyIndexPage,
  ConvoyStore,
  ListConvoysQuery,
  OperatorCommit,
  RedriveInput,
  RenewOptions,
  StoredConvoy,
  TurnCommit,
  WorkListPage,
  DueTimer,
} from '@convoy/core/store';
import { MemoryConvoyIndexes } from './memory-indexes.ts';
import { deadLetterEntry } from '../operator-entries.ts';
import {
  decodeWorkCursor,
  isAfterWorkCursor,
  isParked,
  compareWorkPositions,
  workPage,
} from '../work-list.ts';
import { LocalChangeFeed, type ChangeWatcher } from '../change-feed.ts';

/** Everything the memory store keeps for one convoy. */
interface ConvoySlot {
  readonly key: ConvoyKey;
  /** This lifetime of the convoy's id (see `Claim.incarnation`); a re-created convoy gets a new one. */
  readonly incarnation: string;
  accepted: number;
  firstAcceptedAt: number;
  /** Unprocessed inbox events by seq (a Map keeps insertion = seq order). */
  readonly inbox: Map<number, InboxEvent>;
  /** Idempotency records by namespaced key (`<source kind>:<key>`), each until `expiresAt`. */
  readonly idempotency: Map<
    string,
    { readonly seq: number; readonly fingerprint: string; readonly expiresAt: number }
  >;
  record: ConvoyRecord | null;
  epoch: number;
  lease: { readonly owner: string; readonly until: number } | null;
  readonly history: HistoryEntry[];
  readonly deadLetters: DeadLetter[];
  /** Effects committed and not yet acknowledged, in commit order. */
  readonly outbox: Map<string, EffectIntent>;
  /** Armed timers by timer id (mirrors `record.timers`, minus firings already processed). */
  timers: Map<string, TimerArm>;
  /** History entries dropped by the cap (history indexes stay absolute). */
  historyTrimmed: number;
  /** When a finished convoy with a retention is deleted (epoch ms), else null. */
  expiresAt: number | null;
}

/** Options of the memory store. */
export interface MemoryConvoyStoreOptions {
  /**
   * History entries kept per convoy; older entries are dropped (indexes stay absolute).
   * @defaultValue 10_000
   */
  readonly historyCap?: number;
  /**
   * How long an idempotency key is remembered (as on Redis): a retry after that is a new event.
   * @defaultValue 86_400_000 (24 h)
   */
  readonly idempotencyTtlMs?: number;
  /**
   * The store's own clock, the one authority for leases and due timers (as Redis uses its server time):
   * a caller's `now` that runs ahead of it is taken as this clock's time, so a process whose clock runs
   * fast can neither take over a live lease nor fire a timer early. Without it the callers' `now` is
   * trusted (one process, one clock: the embedded default, and simulated clocks in tests).
   * @defaultValue none
   */
  readonly clock?: Clock;
}

const slotId = (key: ConvoyKey): string => `${key.type}\u0000${key.id}`;
const clone = <T>(value: T): T => structuredClone(value);

/**
 * A {@link ConvoyStore} in one process's memory: the embedded default for the demo, tutorials and unit
 * tests.
 *
 * **Not durable**: everything is lost when the process exits, and only one process can use it. Use the
 * Redis store for anything that must survive a restart or scale to several processes.
 *
 * Semantics (shared with every store, proven by the conformance suite):
 * - `accept` assigns per-convoy seqs 1, 2, 3… atomically. An idempotency key seen before returns the
 *   original seq with `duplicate: true` when the fingerprint matches, and throws `idempotency_conflict`
 *   otherwise. With `accepted - processedSeq >= maxBacklog` it throws `backlog_full`.
 * - `claim` is exclusive: null while another live lease (`leaseUntil > now`) holds the convoy (or for a
 *   convoy never seen); an expired lease can be taken over. Every claim bumps the epoch (the fencing token).
 * - `commit` and `ackEffects` throw `stale_claim` unless the claim's epoch is current; `commit` also
 *   requires `record.revision === previous revision + 1`.
 * - Times come from the caller's `now` arguments; with a store `clock`, leases and due checks never take
 *   a caller's time ahead of it (as Redis uses its server TIME).
 * - Each convoy has an incarnation (a new one when an id is reused after retention) and idempotency keys
 *   are namespaced by writer (client, timer, effect result) and remembered for `idempotencyTtlMs`.
 * - A convoy is dirty (listed by `dirtyConvoys`) while it has unprocessed events or unacknowledged
 *   effects and is not parked (`paused`, `blocked`); a parked convoy's timers are not listed by
 *   `dueTimers` either. Both lists page on from a cursor.
 *
 * Every value is deep-copied on the way in and out, so callers cannot mutate stored state.
 */
export class MemoryConvoyStore implements ConvoyStore {
  readonly #slots = new Map<string, ConvoySlot>();
  /** Dirty runnable convoys in the order they became dirty (the sweeper's work list), with that order. */
  readonly #dirty = new Map<string, { readonly key: ConvoyKey; readonly order: number }>();
  #dirtyOrder = 0;
  /** Per-type status and dead-letter indexes (written by accept, commit, operators). */
  readonly #indexes = new MemoryConvoyIndexes((member) => this.#slots.get(member)?.key);
  /** Convoys given a retention (`expiresAt` set), and the earliest of their deadlines. */
  readonly #expiring = new Set<string>();
  #nextExpiry = Number.POSITIVE_INFINITY;
  #closed = false;
  readonly #historyCap: number;
  readonly #idempotencyTtlMs: number;
  readonly #clock: Clock | undefined;

  constructor(options: MemoryConvoyStoreOptions = {}) {
    this.#historyCap = options.historyCap ?? 10_000;
    this.#idempotencyTtlMs = options.idempotencyTtlMs ?? 86_400_000;
    this.#clock = options.clock;
  }

  /** The time leases and due checks use: the caller's, but never ahead of the store's own clock. */
  #leaseNow(callerNow: number): number {
    return this.#clock === undefined ? callerNow : Math.min(callerNow, this.#clock.now());
  }

  async accept(input: AcceptInput): Promise<AcceptReceipt> {
    this.#assertOpen();
    // Everything that can throw on a hostile event (a copy too deep to clone) runs before the first
    // write: a failed accept leaves no trace, as a Lua script that errors before writing.
    const event = clone(input.event);
    const source = clone(input.source);
    this.#expire(input.now);
    const slot = this.#slotFor(input.key);
    try {
      return this.#acceptInto(slot, input, event, source);
    } catch (error) {
      this.#dropIfEmpty(slot);
      throw error;
    }
  }

  #acceptInto(
    slot: ConvoySlot,
    input: AcceptInput,
    event: AcceptInput['event'],
    source: AcceptInput['source'],
  ): AcceptReceipt {
    if (source.kind === 'timer') {
      // The firing must name the arming the convoy holds now, and be due at the store's time.
      // A parked convoy's timers are not due (as on Redis, where they leave the due index).
      const armed = slot.timers.get(source.timerId);
      if (
        armed?.token !== source.token ||
        armed.dueAt > this.#leaseNow(input.now) ||
        isParked(slot.record?.status)
      ) {
        this.#dropIfEmpty(slot);
        return { seq: 0, duplicate: false, wake: false, stale: true };
      }
    }
    // Client keys and the runtime's own (timer tokens, effect ids) live in separate namespaces.
    const idemKey =
      input.idempotencyKey === undefined ? undefined : `${input.source.kind}:${input.idempotencyKey}`;
    if (idemKey !== undefined) {
      const found = slot.idempotency.get(idemKey);
      const seen = found !== undefined && found.expiresAt > input.now ? found : undefined;
      if (seen) {
        if (seen.fingerprint !== input.fingerprint) {
          throw new ConvoyError(
            'idempotency_conflict',
            `Idempotency key "${input.idempotencyKey}" was already used with a different event`,
            { seq: seen.seq },
          );
        }
        return { seq: seen.seq, duplicate: true, wake: true };
      }
    }
    const backlog = slot.accepted - processedSeqOf(slot);
    if (backlog >= input.maxBacklog) {
      throw new ConvoyError(
        'backlog_full',
        `Convoy ${input.key.type}/${input.key.id} has ${backlog} unprocessed events`,
        {
          backlog,
          maxBacklog: input.maxBacklog,
        },
      );
    }
    const seq = slot.accepted + 1;
    slot.accepted = seq;
    if (seq === 1) slot.firstAcceptedAt = input.now;
    slot.inbox.set(seq, { seq, event, acceptedAt: input.now, source });
    if (idemKey !== undefined) {
      slot.idempotency.set(idemKey, {
        seq,
        fingerprint: input.fingerprint,
        expiresAt: input.now + this.#idempotencyTtlMs,
      });
    }
    // A convoy is listed as active from its first accepted event, before any turn wrote a record.
    if (seq === 1 && slot.record === null) this.#index(slot.key, 'active', input.now);
    // Already dirty: a turn is pending or running (its release reports hasMore), or the sweeper wakes it.
    // Parked: paused wakes nothing (resume schedules a turn); blocked wakes a turn that may un-block it.
    const wasDirty = this.#dirty.has(slotId(slot.key));
    this.#refreshDirty(slot);
    const status = slot.record?.status;
    const wake = status === 'paused' ? false : status === 'blocked' ? true : !wasDirty;
    // The caller runs the turn of a convoy this accept woke, if nobody holds it.
    const claim = wake && input.claim ? this.#claimSlot(slot, input.claim) : null;
    return claim ? { seq, duplicate: false, wake, claim } : { seq, duplicate: false, wake };
  }

  async claim(key: ConvoyKey, options: ClaimOptions): Promise<Claim | null> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(key));
    return slot ? this.#claimSlot(slot, options) : null;
  }

  #claimSlot(slot: ConvoySlot, options: ClaimOptions): Claim | null {
    const now = this.#leaseNow(options.now);
    if (slot.lease && slot.lease.until > now) return null;
    slot.epoch += 1;
    const leaseUntil = now + options.leaseMs;
    slot.lease = { owner: options.owner, until: leaseUntil };
    const events: InboxEvent[] = [];
    for (const event of slot.inbox.values()) {
      if (events.length >= options.maxEvents) break;
      events.push(event);
    }
    return clone({
      key: slot.key,
      epoch: slot.epoch,
      owner: options.owner,
      leaseUntil,
      incarnation: slot.incarnation,
      record: slot.record,
      events,
      pendingEffects: [...slot.outbox.values()],
    });
  }

  async commit(claim: Claim, commit: TurnCommit, options: CommitOptions = {}): Promise<CommitResult> {
    this.#assertOpen();
    const slot = this.#fenced(claim, 'commit');
    const previousRevision = slot.record?.revision ?? 0;
    if (commit.record.revision !== previousRevision + 1) {
      throw new ConvoyError(
        'stale_claim',
        `Commit of revision ${commit.record.revision} does not follow revision ${previousRevision}`,
        { revision: commit.record.revision, expected: previousRevision + 1 },
      );
    }
    const record = clone(commit.record);
    const firedTokens = new Set<string>();
    for (const [seq, event] of slot.inbox) {
      if (seq > record.processedSeq) break;
      if (event.source.kind === 'timer') firedTokens.add(event.source.token);
      slot.inbox.delete(seq);
    }
    slot.record = record;
    this.#index(slot.key, record.status, record.updatedAt);
    slot.history.push(...clone(commit.history));
    const excess = slot.history.length - this.#historyCap;
    if (excess > 0) {
      slot.history.splice(0, excess);
      slot.historyTrimmed += excess;
    }
    if (commit.retainMs !== undefined) {
      slot.expiresAt = record.updatedAt + commit.retainMs;
      this.#expiring.add(slotId(slot.key));
      this.#nextExpiry = Math.min(this.#nextExpiry, slot.expiresAt);
    }
    slot.deadLetters.push(...clone(commit.deadLetters));
    this.#refreshDeadLetterIndex(slot);
    for (const effect of commit.effects) slot.outbox.set(effect.id, clone(effect));
    // The index follows the record's armed timers; a firing processed in this very commit is no longer
    // due even if the step left its arm in place, so it cannot be fired again and again.
    const timers = new Map(slot.timers);
    for (const timerId of commit.timers.cancel) timers.delete(timerId);
    for (const arm of commit.timers.arm) timers.set(arm.timerId, clone(arm));
    for (const [timerId, arm] of timers) {
      const armed = record.timers[timerId];
      if (!armed || armed.token !== arm.token || firedTokens.has(arm.token)) timers.delete(timerId);
    }
    slot.timers = timers;
    this.#refreshDirty(slot);
    const hasMore = slot.accepted > record.processedSeq;
    const released = options.releaseWhenIdle === true && !hasMore && slot.outbox.size === 0;
    if (!released) return { revision: record.revision, hasMore };
    slot.lease = null;
    return { revision: record.revision, hasMore, released };
  }

  async ackEffects(claim: Claim, effectIds: readonly string[]): Promise<void> {
    this.#assertOpen();
    const slot = this.#fenced(claim, 'ackEffects');
    for (const id of effectIds) slot.outbox.delete(id);
    this.#refreshDirty(slot);
  }

  async renew(claim: Claim, options: RenewOptions): Promise<number> {
    this.#assertOpen();
    const slot = this.#fenced(claim, 'renew');
    // Only while held: a renewal arriving after the release must not bring the lease back.
    if (slot.lease === null) {
      throw new ConvoyError(
        'stale_claim',
        `renew refused: the claim of ${claim.key.type}/${claim.key.id} was released`,
        {
          epoch: claim.epoch,
        },
      );
    }
    const leaseUntil = this.#leaseNow(options.now) + options.leaseMs;
    slot.lease = { owner: claim.owner, until: Math.max(leaseUntil, slot.lease.until) };
    return slot.lease.until;
  }

  async release(claim: Claim): Promise<{ readonly hasMore: boolean }> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(claim.key));
    if (!slot) return { hasMore: false };
    // Only the current holder gives the lease back; a stale release must not free someone else's claim.
    if (slot.epoch === claim.epoch) slot.lease = null;
    return { hasMore: slot.accepted > processedSeqOf(slot) };
  }

  async get(key: ConvoyKey): Promise<StoredConvoy | null> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(key));
    if (!slot) return null;
    const latest = slot.deadLetters.at(-1);
    const stored = {
      record: slot.record,
      accepted: slot.accepted,
      firstAcceptedAt: slot.firstAcceptedAt,
      ...(latest === undefined ? {} : { deadLetters: { count: slot.deadLetters.length, latest } }),
    };
    return clone(slot.lease ? { ...stored, leaseUntil: slot.lease.until } : stored);
  }

  async history(
    key: ConvoyKey,
    options: { readonly afterIndex?: number; readonly limit?: number; readonly last?: number } = {},
  ): Promise<HistoryEntry[]> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(key));
    if (!slot) return [];
    if (options.last !== undefined) {
      return options.last <= 0 ? [] : clone(slot.history.slice(-options.last));
    }
    const start = Math.max(0, (options.afterIndex ?? -1) + 1 - slot.historyTrimmed);
    const end = options.limit === undefined ? undefined : start + options.limit;
    return clone(slot.history.slice(start, end));
  }

  async deadLetters(key: ConvoyKey): Promise<DeadLetter[]> {
    this.#assertOpen();
    return clone(this.#slots.get(slotId(key))?.deadLetters ?? []);
  }

  async dueTimers(now: number, limit: number, after?: string): Promise<WorkListPage<DueTimer>> {
    this.#assertOpen();
    const cursor = decodeWorkCursor(after);
    // The timer poller calls this every second or so: the memory store's retention sweep rides on it.
    this.#expire(now);
    const due: Array<DueTimer & { at: number; member: string }> = [];
    for (const [id, slot] of this.#slots) {
      if (isParked(slot.record?.status)) continue;
      for (const timer of slot.timers.values()) {
        const position = { at: timer.dueAt, member: `${id}\u0000${timer.timerId}` };
        if (timer.dueAt <= now && isAfterWorkCursor(position, cursor))
          due.push({ ...position, key: slot.key, timer });
      }
    }
    const page = workPage(due.sort(compareWorkPositions), limit);
    return { items: clone(page.items.map(({ key, timer }) => ({ key, timer }))), next: page.next };
  }

  async dirtyConvoys(limit: number, after?: string): Promise<WorkListPage<ConvoyKey>> {
    this.#assertOpen();
    const cursor = decodeWorkCursor(after);
    // Insertion order is dirty order, so the candidates are already sorted.
    const dirty: Array<{ key: ConvoyKey; at: number; member: string }> = [];
    for (const [member, { key, order }] of this.#dirty) {
      const position = { at: order, member };
      if (isAfterWorkCursor(position, cursor)) dirty.push({ ...position, key });
      if (dirty.length > limit) break;
    }
    const page = workPage(dirty, limit);
    return { items: clone(page.items.map(({ key }) => key)), next: page.next };
  }

  async listConvoys(query: ListConvoysQuery): Promise<ConvoyIndexPage> {
    this.#assertOpen();
    return this.#indexes.listConvoys(query);
  }

  async countConvoys(type: string): Promise<Readonly<Record<ConvoyStatus, number>>> {
    this.#assertOpen();
    return this.#indexes.countConvoys(type);
  }

  async oldestWaiting(type: string): Promise<number | null> {
    this.#assertOpen();
    return this.#indexes.oldestWaiting(type);
  }

  async countDeadLetterConvoys(type: string): Promise<number> {
    this.#assertOpen();
    return this.#indexes.countDeadLetterConvoys(type);
  }

  async listDeadLetterConvoys(query: {
    readonly type: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<ConvoyIndexPage> {
    this.#assertOpen();
    return this.#indexes.listDeadLetterConvoys(query);
  }

  async inbox(key: ConvoyKey, limit: number): Promise<InboxEvent[]> {
    this.#assertOpen();
    return clone([...(this.#slots.get(slotId(key))?.inbox.values() ?? [])].slice(0, limit));
  }

  async commitOperator(key: ConvoyKey, commit: OperatorCommit): Promise<void> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(key));
    const stored = slot?.record?.revision ?? 0;
    if (!slot || stored !== commit.expectedRevision || commit.record.revision !== stored + 1) {
      throw new ConvoyError('convoy_busy', `Convoy ${key.type}/${key.id} changed meanwhile; retry`, {
        revision: stored,
        expected: commit.expectedRevision,
      });
    }
    slot.record = clone(commit.record);
    slot.history.push(clone(commit.entry));
    this.#index(slot.key, commit.record.status, commit.record.updatedAt);
    // Fence off a worker mid-turn: its commit and acks now carry a stale epoch.
    slot.epoch += 1;
    slot.lease = null;
    this.#refreshDirty(slot);
  }

  async redriveDeadLetters(input: RedriveInput): Promise<RedriveResult> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(input.key));
    if (!slot) return { redriven: [] };
    const wanted = input.seqs === undefined ? undefined : new Set(input.seqs);
    const chosen = slot.deadLetters
      .filter((letter) => wanted === undefined || wanted.has(letter.seq))
      .sort((a, b) => a.seq - b.seq);
    const redriven: Array<{ seq: number; newSeq: number; effectId?: string }> = [];
    for (const letter of chosen) {
      slot.deadLetters.splice(slot.deadLetters.indexOf(letter), 1);
      if (letter.effect !== undefined) {
        // An effect's letter: the effect runs again; its event was applied once and stays applied.
        slot.outbox.set(letter.effect.id, clone(letter.effect));
        slot.history.push(deadLetterEntry('redrive', letter, input.now, input.by));
        redriven.push({ seq: letter.seq, newSeq: 0, effectId: letter.effect.id });
        continue;
      }
      const newSeq = slot.accepted + 1;
      slot.accepted = newSeq;
      slot.inbox.set(newSeq, {
        seq: newSeq,
        event: clone(letter.event),
        acceptedAt: input.now,
        source: { kind: 'redrive', deadLetterSeq: letter.seq },
      });
      slot.history.push(deadLetterEntry('redrive', letter, input.now, input.by, newSeq));
      redriven.push({ seq: letter.seq, newSeq });
    }
    this.#refreshDeadLetterIndex(slot);
    this.#refreshDirty(slot);
    return { redriven };
  }

  async discardDeadLetter(key: ConvoyKey, seq: number, now: number, by?: string): Promise<boolean> {
    this.#assertOpen();
    const slot = this.#slots.get(slotId(key));
    const index = slot?.deadLetters.findIndex((letter) => letter.seq === seq) ?? -1;
    const letter = slot?.deadLetters[index];
    if (!slot || !letter) return false;
    slot.deadLetters.splice(index, 1);
    slot.history.push(deadLetterEntry('discard', letter, now, by));
    this.#refreshDeadLetterIndex(slot);
    return true;
  }

  /** Changes published by every engine using this store (one process: the feed sees them all). */
  readonly #changes = new LocalChangeFeed();

  publishChange(key: ConvoyKey): void {
    this.#changes.publish(key);
  }

  watchChanges(type: string, watcher: ChangeWatcher): () => void {
    return this.#changes.watch(type, watcher);
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #index(key: ConvoyKey, status: ConvoyStatus, at: number): void {
    this.#indexes.setStatus(key.type, slotId(key), status, at);
  }

  #refreshDeadLetterIndex(slot: ConvoySlot): void {
    this.#indexes.setLatestDeadLetter(slot.key.type, slotId(slot.key), slot.deadLetters.at(-1)?.at);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConvoyError('store_unavailable', 'The memory store is closed');
  }

  /** Deletes finished convoys whose retention has passed (as Redis expires their keys). */
  /**
   * Drop finished convoys whose retention ran out. Only convoys given a retention are looked at, and only
   * once the earliest of their deadlines has passed: accepts stay O(1) however many convoys are kept.
   */
  #expire(now: number): void {
    if (now < this.#nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const id of this.#expiring) {
      const slot = this.#slots.get(id);
      if (slot?.expiresAt == null) {
        this.#expiring.delete(id);
        continue;
      }
      if (slot.expiresAt > now || slot.record?.status !== 'done') {
        next = Math.min(next, slot.expiresAt);
        continue;
      }
      this.#expiring.delete(id);
      this.#slots.delete(id);
      this.#dirty.delete(id);
      this.#indexes.remove(slot.key.type, id);
    }
    this.#nextExpiry = next;
  }

  #slotFor(key: ConvoyKey): ConvoySlot {
    const id = slotId(key);
    let slot = this.#slots.get(id);
    if (!slot) {
      slot = {
        key: { type: key.type, id: key.id },
        incarnation: randomUUID().replaceAll('-', '').slice(0, 12),
        accepted: 0,
        firstAcceptedAt: 0,
        inbox: new Map(),
        idempotency: new Map(),
        record: null,
        epoch: 0,
        lease: null,
        history: [],
        deadLetters: [],
        outbox: new Map(),
        timers: new Map(),
        historyTrimmed: 0,
        expiresAt: null,
      };
      this.#slots.set(id, slot);
    }
    return slot;
  }

  /** A slot made only for a refused timer firing (the convoy is gone) is not kept. */
  #dropIfEmpty(slot: ConvoySlot): void {
    if (slot.accepted === 0) this.#slots.delete(slotId(slot.key));
  }

  /** The convoy of a claim whose epoch is still current; anything else is a stale claimer. */
  #fenced(claim: Claim, operation: string): ConvoySlot {
    const slot = this.#slots.get(slotId(claim.key));
    if (!slot || slot.epoch !== claim.epoch) {
      throw new ConvoyError(
        'stale_claim',
        `${operation} refused: claim epoch ${claim.epoch} of ${claim.key.type}/${claim.key.id} is no longer current`,
        { epoch: claim.epoch, current: slot?.epoch ?? 0 },
      );
    }
    return slot;
  }

  #refreshDirty(slot: ConvoySlot): void {
    const id = slotId(slot.key);
    let oldestWaiting: number | undefined;
    for (const [seq, event] of slot.inbox) {
      if (seq <= processedSeqOf(slot)) continue;
      oldestWaiting = event.acceptedAt;
      break;
    }
    this.#indexes.setOldestWaiting(slot.key.type, id, oldestWaiting);
    // A parked convoy leaves the list; the commit that makes it runnable again brings it back.
    const dirty =
      (slot.accepted > processedSeqOf(slot) || slot.outbox.size > 0) && !isParked(slot.record?.status);
    if (!dirty) this.#dirty.delete(id);
    else if (!this.#dirty.has(id)) this.#dirty.set(id, { key: slot.key, order: (this.#dirtyOrder += 1) });
  }
}

function processedSeqOf(slot: ConvoySlot): number {
  return slot.record?.processedSeq ?? 0;
}
