/**
 * The ports: what the engine needs from a store, a scheduler and a clock, and what the HTTP layer needs
 * from the engine (the gateway). Adapters live in `@convoy/runtime`; every store passes the conformance
 * suite in `@convoy/runtime/testing`.
 */
import type {
  ConvoyEvent,
  ConvoyKey,
  ConvoyRecord,
  ConvoyView,
  DeadLetter,
  EffectIntent,
  HistoryEntry,
  InboxEvent,
  EventSource,
  TimerArm,
} from './model.ts';
import type { ConvoyTypeDescription, ConvoyTypeSummary } from './describe.ts';

/** Time source. Core never calls `Date.now()`; tests inject a simulated clock. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

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
}

/** Result of accept: the event's seq in its convoy; `duplicate` when the idempotency key was seen. */
export interface AcceptReceipt {
  readonly seq: number;
  readonly duplicate: boolean;
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
}

/** Result of a commit. */
  /**
   * Set on the commit that finishes a convoy when its type has a retention: the store deletes the
   * convoy (record, history, dead letters, inbox) this many ms after the commit.
   */
  readonly retainMs?: number;
export interface CommitResult {
  /** The record's revision after the commit. */
  readonly revision: number;
  /** True when more inbox events are waiting after the committed `processedSeq`. */
  readonly hasMore: boolean;
}

/** Filters for listing convoys. */
export interface ListConvoysQuery {
  readonly type: string;
  readonly status?: ConvoyRecord['status'];
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** A stored convoy as read back: its record (null until first processed) and its acceptance counter. */
export interface StoredConvoy {
  readonly record: ConvoyRecord | null;
  readonly accepted: number;
  readonly firstAcceptedAt: number;
}

/**
 * Durable (or in-memory) convoy storage. Every method is atomic on its own. Implementations: the memory
 * store (one process) and the Redis store (many processes).
 */
export interface ConvoyStore {
  /** Dedupe by idempotency key, append to the inbox with the next seq, mark the convoy dirty. */
  accept(input: AcceptInput): Promise<AcceptReceipt>;
  /** Take the convoy if no live lease holds it; bumps the epoch. Null when another claimer holds it. */
  claim(key: ConvoyKey, options: ClaimOptions): Promise<Claim | null>;
  /** Write a turn's results if `claim.epoch` is still current; otherwise throw `stale_claim`. */
  commit(claim: Claim, commit: TurnCommit): Promise<CommitResult>;
  /** Drop effects from the outbox once run. Fenced like commit. */
  ackEffects(claim: Claim, effectIds: readonly string[]): Promise<void>;
  /** Give the convoy back. Returns whether unprocessed events remain (the caller reschedules). */
  release(claim: Claim): Promise<{ readonly hasMore: boolean }>;
  /** Read a convoy, or null when never seen. */
  get(key: ConvoyKey): Promise<StoredConvoy | null>;
  /** History in processing order, from the entry after `afterIndex` (0-based), at most `limit` entries. */
  history(key: ConvoyKey, options?: { readonly afterIndex?: number; readonly limit?: number }): Promise<HistoryEntry[]>;
  /** Dead letters of one convoy, oldest first. */
  deadLetters(key: ConvoyKey): Promise<DeadLetter[]>;
  /**
   * Armed timers whose `dueAt <= now`, oldest first. A timer stays listed until a commit processes its
   * firing (or cancels it); firing it again is harmless because the firing's idempotency key is
   * `timer:<token>`.
   */
  dueTimers(now: number, limit: number): Promise<Array<{ readonly key: ConvoyKey; readonly timer: TimerArm }>>;
  /** Convoys with unprocessed events (the sweeper's work list), oldest first. */
  dirtyConvoys(limit: number): Promise<ConvoyKey[]>;
  /** Close connections. */
  close(): Promise<void>;
}

/** Delivers "turn" wake-ups: at most one pending wake-up per convoy, processed by `start`'s handler. */
export interface TurnScheduler {
  /** Ask for a turn of this convoy (deduplicated while one is already pending). */
  schedule(key: ConvoyKey, options?: { readonly delayMs?: number }): Promise<void>;
  /** Start delivering turns to `handler`; resolves once started. */
  start(handler: (key: ConvoyKey) => Promise<void>): Promise<void>;
  /** Stop delivering; resolves when running handlers have finished. */
  close(): Promise<void>;
}

/** A request to accept one event, as the HTTP layer hands it over. */
export interface AcceptRequest {
  readonly type: string;
  readonly id: string;
  readonly event: unknown;
  readonly idempotencyKey?: string;
}

/** What accepting an event returns to the client (HTTP 202). */
export interface AcceptResponse {
  readonly type: string;
  readonly id: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

/**
 * What the HTTP layer (and any other edge) calls. Implemented by the runtime's engine. All validation
 * of type, id and event happens here, so every edge refuses bad input the same way.
 */
export interface ConvoyGateway {
  /** Validate and accept one event. Throws `ConvoyError` (unknown type/event, bad id, conflict, backlog). */
  accept(request: AcceptRequest): Promise<AcceptResponse>;
  /** Resolve true once the convoy has processed `seq` (any outcome), false on timeout. */
  waitForSeq(key: ConvoyKey, seq: number, timeoutMs: number): Promise<boolean>;
  /** The convoy's view, or null when never seen. Throws `unknown_convoy_type`. */
  getConvoy(key: ConvoyKey): Promise<ConvoyView | null>;
  /** The convoy's history, or null when never seen. */
  getHistory(key: ConvoyKey): Promise<HistoryEntry[] | null>;
  /** Registered convoy types. */
  listTypes(): ConvoyTypeSummary[];
  /** One type's events, states and diagrams. Throws `unknown_convoy_type`. */
  describeType(type: string): ConvoyTypeDescription;
  /**
   * Optional: call `listener` after every commit made in this process; returns the unsubscribe function.
   * Edges without it (or watching convoys processed by other processes) poll `getConvoy` instead.
   */
  subscribe?(listener: (key: ConvoyKey) => void): () => void;
}
