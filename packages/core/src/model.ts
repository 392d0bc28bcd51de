/**
 * The data Convoy stores and returns. Everything here is JSON-safe: it crosses Redis, HTTP and process
 * boundaries unchanged. Times are epoch milliseconds internally; the HTTP layer renders ISO strings.
 */
import type { StateValue } from 'xstate';
import type {
  ConvoyStatus,
  EffectKind,
  EventDecision,
  EventOutcome,
  OperatorAction,
} from './wire/vocabulary.ts';

export type { ConvoyStatus, EffectKind, EventDecision, EventOutcome, OperatorAction };

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Identifies one convoy: its definition type and its correlation id. */
export interface ConvoyKey {
  readonly type: string;
  readonly id: string;
}

/** An XState event as sent by clients: a `type` plus any JSON payload. */
export interface ConvoyEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Where an inbox event came from. Timer firings and effect results enter the inbox like client events. */
export type EventSource =
  | {
      readonly kind: 'client';
      readonly idempotencyKey?: string;
      /** W3C traceparent of the accept span, when the accept was traced (the turn span links to it). */
      readonly trace?: string;
    }
  | { readonly kind: 'timer'; readonly timerId: string; readonly token: string }
  | { readonly kind: 'effect'; readonly effectId: string }
  /** A dead letter an operator sent back into its convoy; `deadLetterSeq` is the seq it had before. */
  | { readonly kind: 'redrive'; readonly deadLetterSeq: number };

/** An accepted event waiting in a convoy's inbox. `seq` is its 1-based position in the convoy. */
export interface InboxEvent {
  readonly seq: number;
  readonly event: ConvoyEvent;
  readonly acceptedAt: number;
  readonly source: EventSource;
}

/** An event held by the `defer` policy, re-checked in arrival order after every transition. */
export interface DeferredEvent extends InboxEvent {
  readonly deferredAt: number;
}

/** The operator part of a history entry with outcome `operator`. */
export interface OperatorNote {
  readonly action: OperatorAction;
  /** For `redrive`: the seq the dead letter was accepted again under (absent for an effect's letter). */
  readonly newSeq?: number;
  /** For `redrive` of an effect's dead letter: the effect put back into the outbox. */
  readonly effectId?: string;
  /** Who acted, when the edge knows (e.g. an authenticated principal). */
  readonly by?: string;
}

/** The failure part of a history entry with outcome `effectFailed`. */
export interface EffectFailureNote {
  /** An effect (named action, durable effect handler) or an invoke (invoked actor logic). */
  readonly kind: EffectKind;
  /** The action's name, or for an invoke its invoke id. */
  readonly name: string;
  /** The effect's stable id (its idempotency key; a dead letter's `effect.id`). */
  readonly effectId: string;
  /**
   * True when the failure left a dead letter (an effect's retries ran out: redrive runs it again). False
   * for an invoke: its error went back into the machine as `xstate.error.actor.<id>`.
   */
  readonly deadLettered: boolean;
}

/** Why an event was not applied, as a stable code. */
export type OutcomeReason =
  | 'not_accepted_in_state'
  | 'guard_rejected'
  | 'unknown_event_type'
  | 'convoy_done'
  | 'stale_timer'
  | 'handler_error'
  /** The result of an invoke whose state was left (or re-entered) before the result arrived. */
  | 'stale_result'
  /** A stall limit fired; the convoy is marked `stalled` (no escalation event, or already stalled). */
  | 'stalled';

/** One line of a convoy's history, in processing order. */
export interface HistoryEntry {
  readonly seq: number;
  readonly event: ConvoyEvent;
  readonly outcome: EventOutcome;
  readonly from: StateValue | null;
  readonly to: StateValue | null;
  readonly at: number;
  readonly reason?: OutcomeReason;
  /** Error message for `handler_error`. */
  readonly error?: string;
  /**
   * Only on outcome `effectFailed`: what failed. `seq` and `event` are then those of the event whose
   * transition planned the effect; `reason` is `handler_error` and `error` the last attempt's message.
   */
  readonly failure?: EffectFailureNote;
  /**
   * Only on outcome `operator`: the action. `seq` is then the dead letter's seq (redrive, discard) or the
   * convoy's processed seq at that moment (pause, resume, retry); `event` is the dead letter's event or
   * `{ type: 'operator.<action>' }`.
   */
  readonly operator?: OperatorNote;
}

/** An event that was dead-lettered, kept for inspection and redrive. */
export interface DeadLetter {
  readonly key: ConvoyKey;
  readonly seq: number;
  readonly event: ConvoyEvent;
  readonly reason: OutcomeReason;
  readonly error?: string;
  readonly at: number;
  /**
   * Set when an effect (not the event) failed for good: the effect as planned. Redrive puts it back into
   * the outbox to run again; the event, already applied, is not applied a second time.
   */
  readonly effect?: EffectIntent;
}

/**
 * A side effect decided by a transition, stored in the convoy's outbox in the same commit as the
 * snapshot and run afterwards, at least once. `id` is stable (`<type>|<id>|<seq>|<index>|<incarnation>`)
 * and is the idempotency key handed to the effect implementation; the incarnation keeps it unique when a
 * convoy id is reused after retention.
 */
export interface EffectIntent {
  readonly id: string;
  /** The xstate action type, e.g. a named action `notifyWarehouse`. */
  readonly action: string;
  /** The action's resolved params (JSON). */
  readonly params: JsonValue | undefined;
  /** The seq of the event whose transition produced this effect. */
  readonly seq: number;
  readonly event: ConvoyEvent;
  /** The convoy's context right after the transition (handed to the action implementation). */
  readonly context: JsonValue | undefined;
}

/** A durable timer armed by a transition (xstate `after`, delayed `raise`). */
export interface TimerArm {
  /** The xstate send id, e.g. `xstate.after.5000.order.AwaitingPayment`. */
  readonly timerId: string;
  /** Unique per arming; a firing whose token is no longer armed is dropped. */
  readonly token: string;
  readonly dueAt: number;
  readonly event: ConvoyEvent;
}

/** A failing head event under retry: which seq, how many attempts failed, when to try again. */
export interface PoisonMark {
  readonly seq: number;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly error: string;
  /** The next attempt is not made before this time (epoch ms). */
  readonly retryAt: number;
}

/** The persisted state of one convoy, written only by a fenced commit. */
export interface ConvoyRecord {
  readonly key: ConvoyKey;
  readonly status: ConvoyStatus;
  /** Version of the definition this convoy runs on. */
  readonly definitionVersion: number;
  /** The xstate persisted snapshot (JSON). */
  readonly snapshot: JsonValue;
  readonly value: StateValue;
  readonly context: JsonValue;
  /** Highest inbox seq processed (its outcome decided: applied, deferred, rejected, ...). */
  readonly processedSeq: number;
  readonly deferred: readonly DeferredEvent[];
  /** Timers currently armed, by timer id. */
  readonly timers: Readonly<Record<string, TimerArm>>;
  /** Why the convoy is `blocked`, when it is. */
  readonly blockedReason?: string;
  /**
   * Invocations in flight, by invoke id: the id of the effect running it. A result whose effect id is
   * not listed here (its state was left, or re-entered by a newer invocation) is dropped.
   */
  readonly invokes?: Readonly<Record<string, string>>;
  /** The head inbox event whose guard or action threw, while it is being retried (poison handling). */
  readonly poison?: PoisonMark;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Bumped by every commit. */
  readonly revision: number;
}

/**
 * What a wait learned about one processed event: its outcome (with the reason when it was not applied)
 * and the convoy's status and state value as read right after the turn that decided it (a later turn
 * may already have moved the convoy on).
 */
export interface EventOutcomeReport {
  /**
   * What processing decided. Absent only when the event's history entry is gone (dropped by the store's
   * history cap before the wait read it).
   */
  readonly outcome?: EventDecision;
  /** Why it was not applied (`convoy_done`, `not_accepted_in_state`, `guard_rejected`, ...). */
  readonly reason?: OutcomeReason;
  /** The error message of a `handler_error`. */
  readonly error?: string;
  /**
   * False while the event is deferred: it may still be applied or refused later (wait with `final` to
   * learn which). True for every other outcome, which never changes.
   */
  readonly final: boolean;
  readonly status: ConvoyStatus;
  readonly value: StateValue | null;
}

/** What the API shows for a convoy (the record plus the store's acceptance counter). */
export interface ConvoyView {
  readonly type: string;
  readonly id: string;
  readonly status: ConvoyStatus;
  readonly value: StateValue | null;
  readonly context: JsonValue;
  /** Last processed seq. */
  readonly seq: number;
  /** Last accepted seq. */
  readonly accepted: number;
  /** Number of deferred events. */
  readonly deferred: number;
  /** Definition version. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly blockedReason?: string;
  /**
   * Present while the convoy needs an operator: it holds dead letters (an event or effect that failed
   * for good). Derived from the dead-letter list, so a redrive or discard of the last letter clears it.
   */
  readonly attention?: ConvoyAttention;
}

/** Why a convoy needs an operator (see {@link ConvoyView.attention}). */
export interface ConvoyAttention {
  /** How many dead letters the convoy holds. */
  readonly deadLetters: number;
  /** The latest dead letter's reason (`handler_error` for a failed effect). */
  readonly reason: OutcomeReason;
  /** The latest dead letter's seq (for an effect: the seq whose transition planned it). */
  readonly seq: number;
  /** The latest dead letter's error message, when it has one. */
  readonly error?: string;
  /** Set when the latest dead letter is a failed effect: its action name. */
  readonly effect?: string;
  /** When the latest letter was dead-lettered (ISO 8601). */
  readonly at: string;
}
