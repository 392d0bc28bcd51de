/**
 * The gateway port by role: what the HTTP layer (and any other edge) calls. Implemented by the
 * runtime's engine.
 */
import type {
  ConvoyKey,
  ConvoyStatus,
  ConvoyView,
  DeadLetter,
  DeferredEvent,
  EventOutcomeReport,
  HistoryEntry,
  InboxEvent,
  TimerArm,
} from '../model.ts';
import type { ConvoyTypeDescription, ConvoyTypeSummary } from '../describe.ts';

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

/** Ingestion: accept an event and wait for it (or a state) to be reached. */
export interface ConvoyIngress {
  /** Validate and accept one event. Throws `ConvoyError` (unknown type/event, bad id, conflict, backlog). */
  accept(request: AcceptRequest): Promise<AcceptResponse>;
  /** Resolve true once the convoy has processed `seq` (any outcome), false on timeout. */
  waitForSeq(key: ConvoyKey, seq: number, timeoutMs: number): Promise<boolean>;
  /**
   * Resolve with the outcome of event `seq` once the convoy has processed it, with the convoy's status
   * and state value after that turn; null when it was not processed within `options.timeoutMs`. With
   * `options.final`, a deferred event is waited on until it is applied or refused: at the timeout the
   * report then says `deferred` (`final: false`). Throws `unknown_convoy_type`.
   */
  waitForOutcome(
    key: ConvoyKey,
    seq: number,
    options: WaitForOutcomeOptions,
  ): Promise<EventOutcomeReport | null>;
  /**
   * Resolve once the convoy's state satisfies `condition` (`met`), once it finished without satisfying it
   * (`unreachable`), or after `timeoutMs` (`timeout`); `view` is the last view read (null: never seen).
   * Throws `unknown_convoy_type`.
   */
  waitFor(key: ConvoyKey, condition: WaitCondition, timeoutMs: number): Promise<WaitForResult>;
}

/** Reads: views, history, types, lists and the live commit feed. */
export interface ConvoyReader {
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
  /**
   * Optional: follow the changes (commits, accepts, operator actions) of every convoy of `type`, whoever
   * made them, at a cost per change rather than per poll. Edges use it for live streams: one watch per
   * type and node, fanned out to every stream of that type. Throws `unknown_convoy_type`.
   */
  watchType?(type: string, watcher: ConvoyChangeWatcher): ConvoyChangeWatch;
  /** Convoys of a type from the status index, filtered, newest update first. Throws `unknown_convoy_type`. */
  listConvoys(query: ConvoyListQuery): Promise<ConvoyListPage>;
  /** How many convoys of a type are in each status. */
  countConvoys(type: string): Promise<Readonly<Record<ConvoyStatus, number>>>;
  /**
   * When the type's oldest unprocessed event was accepted (epoch ms), or null when none waits: read from
   * the store's waiting index, never a scan.
   */
  oldestWaiting(type: string): Promise<number | null>;
  /** How many convoys of a type hold dead letters. Throws `unknown_convoy_type`. */
  countDeadLetterConvoys(type: string): Promise<number>;
  /** The convoy's dead letters, oldest first (empty for a convoy never seen). */
  getDeadLetters(key: ConvoyKey): Promise<DeadLetter[]>;
  /** Dead letters of every convoy of a type, a page of convoys at a time. */
  listDeadLetters(query: DeadLetterListQuery): Promise<DeadLetterPage>;
  /** Accepted, unprocessed events in seq order (at most `limit`), or null for a convoy never seen. */
  getInbox(key: ConvoyKey, limit?: number): Promise<InboxEvent[] | null>;
  /** Events held by the `defer` policy, or null for a convoy never seen. */
  getDeferred(key: ConvoyKey): Promise<DeferredEvent[] | null>;
  /** Armed timers, earliest first, or null for a convoy never seen. */
  getTimers(key: ConvoyKey): Promise<TimerArm[] | null>;
}

/** Receives the changes of one convoy type (see {@link ConvoyReader.watchType}). */
export interface ConvoyChangeWatcher {
  /** A convoy of the type changed: read it for its new view (several changes may arrive as one). */
  onChange(key: ConvoyKey): void;
  /** Changes may have been missed (the feed reconnected or was trimmed): catch up from the index once. */
  onGap(): void;
}

/** A running watch of one type. */
export interface ConvoyChangeWatch {
  /**
   * True when the watch sees every process's changes (the store keeps a shared change feed); false when
   * it sees only this process's, and the edge must poll the index for the others'.
   */
  readonly complete: boolean;
  /** Stop watching. */
  close(): void;
}

/** Operator actions (issue 5). Every action is recorded in the convoy's history (outcome `operator`). */
export interface ConvoyOperations {
  /**
   * Put dead letters back into their convoy (all, in seq order, or the one `seq`) and schedule a turn.
   * Throws `convoy_not_found`, or `dead_letter_not_found` for a `seq` that is not a dead letter.
   */
  redriveDeadLetters(
    key: ConvoyKey,
    options?: OperatorOptions & { readonly seq?: number },
  ): Promise<RedriveResult>;
  /** Drop one dead letter. Throws `convoy_not_found` or `dead_letter_not_found`. */
  discardDeadLetter(key: ConvoyKey, seq: number, options?: OperatorOptions): Promise<void>;
  /** Stop taking turns (events are still accepted). `operation_not_allowed` unless active or stalled. */
  pauseConvoy(key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView>;
  /** Take turns again after a pause. `operation_not_allowed` unless paused. */
  resumeConvoy(key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView>;
  /** Clear `blocked` (or `stalled`) and schedule a turn now. `operation_not_allowed` otherwise. */
  retryConvoy(key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView>;
}

/**
 * What the HTTP layer (and any other edge) calls. Implemented by the runtime's engine. All validation
 * of type, id and event happens here, so every edge refuses bad input the same way.
 */
export interface ConvoyGateway extends ConvoyIngress, ConvoyReader, ConvoyOperations {
  /** Resolves when the store is reachable; throws `store_unavailable` otherwise. */
  ping(): Promise<void>;
}

/** Options every operator action takes. */
export interface OperatorOptions {
  /** Who acted, recorded in the history entry (e.g. the authenticated principal). */
  readonly by?: string;
}

/**
 * What {@link ConvoyGateway.waitFor} waits for: a state (dot path, matched like xstate's
 * `snapshot.matches`, so `Shipping` matches `{ Shipping: 'Packing' }`), a tag of the current state
 * nodes, or the convoy being done.
 */
export type WaitCondition =
  | { readonly kind: 'state'; readonly state: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'done' };

/** Options of {@link ConvoyGateway.waitForOutcome}. */
export interface WaitForOutcomeOptions {
  readonly timeoutMs: number;
  /** Wait past a deferral until the event's final outcome (applied or refused). @defaultValue false */
  readonly final?: boolean;
}

/** Result of {@link ConvoyGateway.waitFor}. */
export interface WaitForResult {
  readonly outcome: 'met' | 'unreachable' | 'timeout';
  readonly view: ConvoyView | null;
}

/** Filters of {@link ConvoyGateway.listConvoys}. */
export interface ConvoyListQuery {
  readonly type: string;
  readonly status?: ConvoyStatus;
  /**
   * Only convoys whose state value matches: a top-level state name (`Shipped`) or a dot path into
   * nested/parallel states (`shipping.packing`).
   */
  readonly state?: string;
  /** Only convoys updated at or after this time (epoch ms). */
  readonly updatedAfter?: number;
  /**
   * Only convoys that need attention (hold dead letters; see `ConvoyView.attention`), read from the
   * per-type dead-letter index, most recent dead letter first.
   */
  readonly attention?: boolean;
  readonly cursor?: string;
  /** @defaultValue 50 */
  readonly limit?: number;
}

/** A page of convoys. */
export interface ConvoyListPage {
  readonly items: ConvoyView[];
  /** Pass back as `cursor` for the next page; null when there is none. */
  readonly cursor: string | null;
}

/** Filters of {@link ConvoyGateway.listDeadLetters}. */
export interface DeadLetterListQuery {
  readonly type: string;
  readonly cursor?: string;
  /** Convoys per page (each contributes all its dead letters). @defaultValue 50 */
  readonly limit?: number;
}

/**
 * Dead letters put back into their convoy, in seq order: an event's letter as a new inbox event (its new
 * seq), an effect's letter (`effectId`) back into the outbox to run again (`newSeq` 0: no event is
 * applied again).
 */
export interface RedriveResult {
  readonly redriven: ReadonlyArray<{
    readonly seq: number;
    readonly newSeq: number;
    readonly effectId?: string;
  }>;
}

/** A page of dead letters (of `limit` convoys at most). */
export interface DeadLetterPage {
  readonly items: DeadLetter[];
  readonly cursor: string | null;
}
