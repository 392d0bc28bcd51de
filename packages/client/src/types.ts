/**
 * Types of the typed client: what a definition union says about convoy types and their events, and the
 * JSON shapes the HTTP API answers with (times as ISO strings).
 */
import type {
  ConvoyDefinition,
  ConvoyEvent,
  ConvoyStatus,
  ConvoyTypeDescription,
  ConvoyTypeSummary,
  ConvoyView,
  DeadLetter,
  DeferredEvent,
  HistoryEntry,
  InboxEvent,
  TimerArm,
} from '@convoy/core';
import type { AnyStateMachine, EventFromLogic } from 'xstate';

/** Any convoy definition, whatever its machine and type. */
export type AnyConvoyDefinition = ConvoyDefinition<AnyStateMachine, string>;

/** The convoy types of a definition union, e.g. `'order' | 'ticket'`. */
export type ConvoyTypeOf<TDefinitions extends AnyConvoyDefinition> = TDefinitions['type'];

/** The events a client may send to a machine: its declared events minus xstate's internal ones. */
export type ClientEventOfMachine<TMachine extends AnyStateMachine> = Exclude<
  EventFromLogic<TMachine>,
  { readonly type: `xstate.${string}` }
>;

/**
 * The events a client may send to convoys of `TType`: the client events of every definition (every
 * version) registered under that type. Untyped definitions (`type: string`) accept any {@link ConvoyEvent}.
 */
export type ClientEventOf<
  TDefinitions extends AnyConvoyDefinition,
  TType extends string,
> = string extends TType
  ? ConvoyEvent
  : TDefinitions extends unknown
    ? TType extends TDefinitions['type']
      ? string extends TDefinitions['type']
        ? ConvoyEvent
        : ClientEventOfMachine<TDefinitions['machine']>
      : never
    : never;

/** Options of {@link ConvoyClient.send}. */
export interface SendOptions {
  /** Sent as `Idempotency-Key`: the same key for the same convoy is accepted once. */
  readonly idempotencyKey?: string;
  /** Answer only once the event is processed, or after this many ms (`?wait=`). */
  readonly wait?: number;
}

/** The `202` receipt of an accepted event. */
export interface SendReceipt {
  readonly type: string;
  readonly id: string;
  /** The event's position in its convoy. */
  readonly seq: number;
  /** True when the idempotency key was seen before: this is the original receipt. */
  readonly duplicate: boolean;
  /** Only with `wait`: whether the event was processed before the wait ended. */
  readonly processed?: boolean;
}

/** One history entry as the API renders it (`at` as an ISO string). */
export interface HistoryItem extends Omit<HistoryEntry, 'at'> {
  readonly at: string;
}

/** One dead letter as the API renders it: the convoy key flattened, `at` as an ISO string. */
export interface DeadLetterItem extends Omit<DeadLetter, 'at' | 'key'> {
  readonly type: string;
  readonly id: string;
  readonly at: string;
}

/** An accepted, unprocessed event (`acceptedAt` as an ISO string). */
export interface InboxItem extends Omit<InboxEvent, 'acceptedAt'> {
  readonly acceptedAt: string;
}

/** An event held by the `defer` policy (times as ISO strings). */
export interface DeferredItem extends Omit<DeferredEvent, 'acceptedAt' | 'deferredAt'> {
  readonly acceptedAt: string;
  readonly deferredAt: string;
}

/** An armed timer (`dueAt` as an ISO string). */
export interface TimerItem extends Omit<TimerArm, 'dueAt'> {
  readonly dueAt: string;
}

/** The answer of {@link ConvoyClient.wait}: the seq is processed. */
export interface WaitResult {
  readonly type: string;
  readonly id: string;
  readonly seq: number;
  readonly processed: true;
}

/** A page of a list; pass `cursor` back for the next one (null: no more). */
export interface Page<TItem> {
  readonly items: readonly TItem[];
  readonly cursor: string | null;
}

/** Filters of {@link ConvoyClient.list}. */
export interface ListOptions {
  readonly status?: ConvoyStatus;
  /** A state name or dot path into nested/parallel states. */
  readonly state?: string;
  /** Only convoys updated at or after this time (epoch ms). */
  readonly updatedAfter?: number;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Paging of {@link ConvoyClient.listDeadLetters}. */
export interface PageOptions {
  readonly cursor?: string;
  readonly limit?: number;
}

/**
 * What {@link ConvoyClient.redrive} put back: old seq → new seq, or for an effect's dead letter the
 * effect put back into the outbox (`newSeq` 0, `effectId`).
 */
export interface RedriveReceipt {
  readonly redriven: ReadonlyArray<{
    readonly seq: number;
    readonly newSeq: number;
    readonly effectId?: string;
  }>;
}

/** Diagram formats: from the API (`mermaid`, `stately`) or from the console (`dot`, `svg`). */
export type DiagramFormat = 'mermaid' | 'stately' | 'dot' | 'svg';

export type { ConvoyTypeDescription, ConvoyTypeSummary, ConvoyView };
