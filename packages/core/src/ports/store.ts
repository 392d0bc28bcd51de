/**
 * The store port by role: what the engine needs to accept, run turns, read, list work and apply
 * operator changes. Implemented by the memory and Redis stores; every store passes the conformance
 * suite in `@convoy/runtime/testing`.
 */
import type {
  ConvoyEvent,
  ConvoyKey,
  ConvoyRecord,
  ConvoyStatus,
  DeadLetter,
  EffectIntent,
  EventSource,
  HistoryEntry,
  InboxEvent,
  TimerArm,
} from '../model.ts';
import type { RedriveResult } from './gateway.ts';

/** Input of the atomic accept step. */
export interface AcceptInput {
  readonly key: ConvoyKey;
  readonly event: ConvoyEvent;
  readonly source: EventSource;
  /** Client idempotency key (also in `source` for client events). */
  readonly idempotencyKey?: string;
  /** Stable hash of the request body; the same key with another fingerprint is `idempotency_conflict`. */
  readonly fingerprint: string;
  readonly now: number;
  /** Refuse with `backlog_full` when this many events are already unprocessed. */
  readonly maxBacklog: number;
  /**
   * Claim the convoy in the same atomic step when this accept makes it dirty and no live lease holds
   * it: the receipt then carries the claim, and the caller owns the convoy's turn (it must commit or
   * release; a claim it drops expires with its lease). Stores may ignore it (no `claim` in the receipt).
   */
  readonly claim?: ClaimOptions;
}

/** Result of accept: the event's seq in its convoy; `duplicate` when the idempotency key was seen. */
export interface AcceptReceipt {
  readonly seq: number;
  readonly duplicate: boolean;
  /**
   * Whether the caller must schedule a turn. `false` only when the convoy was already dirty before this
   * accept (unprocessed events or unacknowledged effects): then a turn is pending or running, and a
   * running turn sees the new event when it releases (`hasMore`) and goes on, or the sweeper wakes the
   * convoy (lost wake-up, crashed worker); and for a `paused` convoy (not dirty while parked: nothing
   * runs until `resume`, which schedules a turn). `true` when this accept made the convoy dirty, for an
   * idempotent replay, and for a `blocked` convoy (not dirty either, but a turn on a node that registered
   * the missing version may un-block it). Absent means `true` (stores that do not know).
   */
  readonly wake?: boolean;
  /**
   * The claim taken for `AcceptInput.claim`: present only when this accept made the convoy dirty and
   * the convoy was free (or when a re-sent accept finds the claim its first run took). The caller then
   * runs the turn instead of scheduling one.
   */
  readonly claim?: Claim;
  /**
   * Only for a timer firing (`source.kind === 'timer'`): true when the arming it names is no longer the
   * convoy's (cancelled, fired, re-armed under another token) or is not due yet at `now`. Checked in the
   * same atomic step as the accept; nothing was stored and `seq` is 0.
   */
  readonly stale?: boolean;
}

/** Options of a claim. */
export interface ClaimOptions {
  /** Identifies the claimer in logs and diagnostics. */
  readonly owner: string;
  /** The claim is exclusive until `now + leaseMs`; afterwards another claimer may take over. */
  readonly leaseMs: number;
  /** At most this many inbox events are returned. */
  readonly maxEvents: number;
  readonly now: number;
}

/**
 * An exclusive, fenced hold on one convoy. `epoch` increases with every claim of the convoy; a commit
 * carrying an older epoch is refused with `stale_claim`.
 */
export interface Claim {
  readonly key: ConvoyKey;
  readonly epoch: number;
  readonly owner: string;
  readonly leaseUntil: number;
  /**
   * The convoy's incarnation: fixed by the accept that created the convoy and never reused by a later
   * convoy under the same id (after retention deleted this one). It is part of every effect id and timer
   * token (`stepConvoy`'s `incarnation`), so nothing of an earlier lifetime can be taken for this one's.
   * Absent only from stores that predate it.
   */
  readonly incarnation?: string;
  /** The committed record, or null for a convoy never processed. */
  readonly record: ConvoyRecord | null;
  /** Unprocessed inbox events after `record.processedSeq`, in seq order. */
  readonly events: readonly InboxEvent[];
  /** Effects committed earlier and not yet acknowledged (run them again: at-least-once). */
  readonly pendingEffects: readonly EffectIntent[];
}

/** Everything one turn writes, atomically, fenced by the claim's epoch. */
export interface TurnCommit {
  readonly record: ConvoyRecord;
  readonly history: readonly HistoryEntry[];
  readonly deadLetters: readonly DeadLetter[];
  readonly effects: readonly EffectIntent[];
  readonly timers: { readonly arm: readonly TimerArm[]; readonly cancel: readonly string[] };
  /**
   * Set on the commit that finishes a convoy when its type has a retention: the store deletes the
   * convoy (record, history, dead letters, inbox) this many ms after the commit.
   */
  readonly retainMs?: number;
}

/** Options of a commit. */
export interface CommitOptions {
  /**
   * Also give the lease back, in the same atomic step, when the commit leaves the convoy idle: no inbox
   * event after the committed `processedSeq` and no unacknowledged effect. Saves the turn its separate
   * `release` (one Redis round trip per turn). When the convoy is not idle the claim stays held, as
   * without the option.
   */
  readonly releaseWhenIdle?: boolean;
}

/** Options of a lease renewal. */
export interface RenewOptions {
  /** The lease runs until `now + leaseMs` (on Redis: the server's time when the caller's runs ahead). */
  readonly leaseMs: number;
  readonly now: number;
}

/** Result of a commit. */
export interface CommitResult {
  /** The record's revision after the commit. */
  readonly revision: number;
  /** True when more inbox events are waiting after the committed `processedSeq`. */
  readonly hasMore: boolean;
  /**
   * True when the commit also released the claim (`releaseWhenIdle` and the convoy was idle): the caller
   * must not use the claim again, and needs no `release`. Absent or false: the claim is still held.
   */
  readonly released?: boolean;
}

/**
 * Filters for listing convoys from the store's per-type status index (kept at commit time, newest
 * `updatedAt` first).
 */
export interface ListConvoysQuery {
  readonly type: string;
  /** Only convoys in this status; every status when omitted. */
  readonly status?: ConvoyRecord['status'];
  /** Only convoys updated at or after this time (epoch ms). */
  readonly updatedAfter?: number;
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** One convoy found in an index, with its index score. */
export interface IndexedConvoy {
  readonly key: ConvoyKey;
  /** The score: `updatedAt` in the status index, the last dead-letter time in the dead-letter index. */
  readonly at: number;
}

/** A page of an index, newest first. */
export interface ConvoyIndexPage {
  readonly items: readonly IndexedConvoy[];
  /** Opaque: pass it back for the next page; null when there is none. */
  readonly cursor: string | null;
}

/**
 * An operator's change of a convoy's record (pause, resume, retry): a compare-and-set on the revision.
 * The store writes the record and the history entry atomically, re-indexes the convoy by its new status,
 * and fences off any current claim (epoch bumped, lease freed) so a worker mid-turn cannot overwrite it.
 */
export interface OperatorCommit {
  /** The revision the change was computed from; another revision stored means `convoy_busy`. */
  readonly expectedRevision: number;
  /** The new record; its revision is `expectedRevision + 1`. */
  readonly record: ConvoyRecord;
  /** The history entry recording the action (outcome `operator`). */
  readonly entry: HistoryEntry;
}

/** What an operator asks the store to redrive. */
export interface RedriveInput {
  readonly key: ConvoyKey;
  /** Dead letters to redrive by seq; every dead letter of the convoy when omitted. */
  readonly seqs?: readonly number[];
  readonly now: number;
  /** Who acted (recorded in the history). */
  readonly by?: string;
}

/** A stored convoy as read back: its record (null until first processed) and its acceptance counter. */
export interface StoredConvoy {
  readonly record: ConvoyRecord | null;
  readonly accepted: number;
  readonly firstAcceptedAt: number;
  /**
   * The convoy's dead letters at a glance (read in the same atomic step): how many, and the latest one.
   * Absent or 0 when it holds none. The view's `attention` is derived from it.
   */
  readonly deadLetters?: { readonly count: number; readonly latest?: DeadLetter };
  /**
   * While a claim holds (or last held, until released) the convoy: when its lease runs out, on the
   * store's clock. A turn that finds the convoy held looks again then, not a whole lease later. Absent
   * when no claim holds it (and from stores that do not say).
   */
  readonly leaseUntil?: number;
}

/** The turn path: accept an event, claim a convoy, commit its turn fenced, acknowledge effects, release. */
export interface TurnStore {
  /** Dedupe by idempotency key, append to the inbox with the next seq, mark the convoy dirty. */
  accept(input: AcceptInput): Promise<AcceptReceipt>;
  /** Take the convoy if no live lease holds it; bumps the epoch. Null when another claimer holds it. */
  claim(key: ConvoyKey, options: ClaimOptions): Promise<Claim | null>;
  /**
   * Write a turn's results if `claim.epoch` is still current; otherwise throw `stale_claim`. With
   * `releaseWhenIdle`, an idle convoy's lease is given back in the same step (`released: true`).
   */
  commit(claim: Claim, commit: TurnCommit, options?: CommitOptions): Promise<CommitResult>;
  /** Drop effects from the outbox once run. Fenced like commit. */
  ackEffects(claim: Claim, effectIds: readonly string[]): Promise<void>;
  /**
   * Extend the claim's lease to `now + leaseMs`, fenced like commit: throws `stale_claim` once the epoch
   * moved on (another claimer, an operator's pause). Returns the new `leaseUntil`. A turn renews while it
   * runs so a long turn or effect never loses its lease to another worker.
   */
  renew(claim: Claim, options: RenewOptions): Promise<number>;
  /** Give the convoy back. Returns whether unprocessed events remain (the caller reschedules). */
  release(claim: Claim): Promise<{ readonly hasMore: boolean }>;
}

/** Reads of one convoy and of the per-type indexes (views, history, operator lists). */
export interface ConvoyReadStore {
  /** Read a convoy, or null when never seen. */
  get(key: ConvoyKey): Promise<StoredConvoy | null>;
  /**
   * History in processing order, from the entry after `afterIndex` (0-based), at most `limit` entries;
   * with `last`, only the newest `last` entries, in processing order (`afterIndex` and `limit` unused):
   * how a wait finds the outcome of an event processed a moment ago without reading the whole history.
   */
  history(
    key: ConvoyKey,
    options?: { readonly afterIndex?: number; readonly limit?: number; readonly last?: number },
  ): Promise<HistoryEntry[]>;
  /** Dead letters of one convoy, oldest first. */
  deadLetters(key: ConvoyKey): Promise<DeadLetter[]>;
  /** Unprocessed inbox events (after the processed seq), in seq order, at most `limit`. */
  inbox(key: ConvoyKey, limit: number): Promise<InboxEvent[]>;
  /**
   * A page of the per-type status index, newest `updatedAt` first. The index is written by accept (a
   * new convoy is `active`), commit and the operator operations: never a keyspace scan.
   */
  listConvoys(query: ListConvoysQuery): Promise<ConvoyIndexPage>;
  /** How many convoys of a type are in each status (from the index). */
  countConvoys(type: string): Promise<Readonly<Record<ConvoyStatus, number>>>;
  /**
   * Acceptance time (epoch ms) of the oldest unprocessed inbox event of any convoy of the type, or null
   * when none waits. Read from an index kept by accept, commit and redrive (never a scan): the metrics'
   * `convoy_oldest_waiting_event_age_seconds`. Deferred events are processed (held by policy): not counted.
   */
  oldestWaiting(type: string): Promise<number | null>;
  /** How many convoys of a type hold dead letters (from the dead-letter index: never a scan). */
  countDeadLetterConvoys(type: string): Promise<number>;
  /** A page of the convoys of a type that hold dead letters, most recent dead letter first. */
  listDeadLetterConvoys(query: {
    readonly type: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<ConvoyIndexPage>;
}

/** A due timer as the timer poller lists it. */
export interface DueTimer {
  readonly key: ConvoyKey;
  readonly timer: TimerArm;
}

/**
 * One page of a work list (due timers, dirty convoys) and where the next page starts. A scan that passes
 * `next` back continues after the last item of this page, so entries that stay listed without being
 * able to move (a convoy held by a long turn, a poison event waiting for its retry) cannot pin the head
 * of the list: every entry gets its turn within one pass.
 */
export interface WorkListPage<T> {
  readonly items: readonly T[];
  /** Opaque: the position after this page's last item; null when the pass reached the end of the list. */
  readonly next: string | null;
}

/**
 * The background work lists: due timers (the timer poller) and dirty convoys (the sweeper).
 *
 * **Parked convoys are not listed.** A convoy whose record is `paused` or `blocked` leaves both lists
 * (its armed timers stay in its record and its waiting events in its inbox): nothing in it can run until
 * an operator resumes or retries it, or a turn un-blocks it, and listing it would only make every pass
 * look at it again. The operator commit or the turn commit that makes it runnable puts it back (timers
 * due meanwhile are listed at once, waiting events make it dirty again), in the same atomic step.
 */
export interface WorkListStore {
  /**
   * Armed timers of runnable convoys whose `dueAt <= now`, in `(dueAt, store order)` order, at most
   * `limit`, after the position `after` (from the start when omitted). A timer stays listed until a
   * commit processes its firing (or cancels it); firing it again is harmless because the firing's
   * idempotency key is its arming token (in the stores' timer namespace), and the accept refuses a firing
   * whose arming is gone, not due, or whose convoy is parked (`AcceptReceipt.stale`).
   */
  dueTimers(now: number, limit: number, after?: string): Promise<WorkListPage<DueTimer>>;
  /**
   * Runnable convoys with unprocessed events or unacknowledged effects (the sweeper's work list), oldest
   * dirty mark first, at most `limit`, after the position `after` (from the start when omitted).
   */
  dirtyConvoys(limit: number, after?: string): Promise<WorkListPage<ConvoyKey>>;
}

/**
 * Optional: a change feed shared by every process using the store, so live views cost per change, not
 * per poll. The engine publishes after each commit and operator change (unless the store does it itself,
 * `publishesChanges`); a publish may be lost (a crash right after the store step), so readers also poll
 * the index, slowly.
 */
export interface ChangeFeedStore {
  /**
   * True when the store appends to the change feed itself, in the same atomic step as each change it
   * makes (`commit`, `commitOperator`, `redriveDeadLetters`, `discardDeadLetter`): the engine then does
   * not call `publishChange` after them (one round trip less per commit, and no notification lost to a
   * crash). The Redis store does on a single Redis, not on Cluster (the feed is in another slot).
   */
  readonly publishesChanges?: boolean;
  /** Tell every watcher of the convoy's type that it changed. Never throws (a lost publish is tolerated). */
  publishChange(key: ConvoyKey): void;
  /** Receive the changes of one type (from every process); returns the function that stops it. */
  watchChanges(
    type: string,
    watcher: { readonly onChange: (key: ConvoyKey) => void; readonly onGap: () => void },
  ): () => void;
}

/** Operator changes, each atomic and recorded in the convoy's history. */
export interface OperatorStore {
  /** Apply an operator's record change; throws `convoy_busy` when the revision moved on. */
  commitOperator(key: ConvoyKey, commit: OperatorCommit): Promise<void>;
  /**
   * Atomically move dead letters back into the convoy's inbox as new events (source `redrive`, in seq
   * order), remove them from the dead letters and record one `operator` history entry per letter
   * (`seq` = its old seq, `operator.newSeq` = its new one). Seqs that are not dead letters are skipped.
   */
  redriveDeadLetters(input: RedriveInput): Promise<RedriveResult>;
  /** Atomically drop one dead letter and record it (`operator` entry, action `discard`). False if absent. */
  discardDeadLetter(key: ConvoyKey, seq: number, now: number, by?: string): Promise<boolean>;
}

/**
 * Durable (or in-memory) convoy storage. Every method is atomic on its own. Implementations: the memory
 * store (one process) and the Redis store (many processes).
 */
export interface ConvoyStore
  extends TurnStore, ConvoyReadStore, WorkListStore, OperatorStore, Partial<ChangeFeedStore> {
  /** Resolves when the store is reachable (readiness); throws `store_unavailable` otherwise. */
  ping(): Promise<void>;
  /** Close connections. */
  close(): Promise<void>;
}
