/**
 * Types of the typed client: what a definition union says about convoy types and their events. The
 * JSON shapes the HTTP API answers with are core's wire items (`@convoy/core/wire`), re-exported here
 * under the client's names.
 */
import type {
  AcceptedItem,
  ConvoyDefinition,
  ConvoyEvent,
  ConvoyStatus,
  ItemPage,
  RedriveItem,
  WaitItem,
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
  /**
   * Answer only once the event is processed, or after this many ms (`?wait=`). The receipt then says
   * `processed`, and when true carries the event's `outcome` (with `reason`), `final`, and the convoy's
   * `status` and `value` after its turn.
   */
  readonly wait?: number;
  /** With `wait`: wait past a deferral until the event is applied or refused (`&final=1`). */
  readonly final?: boolean;
}

/** Options of {@link ConvoyClient.wait}. */
export interface WaitOptions {
  /** Wait past a deferral until the event is applied or refused (`&final=1`). */
  readonly final?: boolean;
}

/**
 * The `202` receipt of an accepted event (the wire contract's item): narrow on `processed` to read the
 * outcome of a waited send.
 */
export type SendReceipt = AcceptedItem;

/** The answer of {@link ConvoyClient.wait}: the seq is processed, with its outcome. */
export type WaitResult = WaitItem;

/** A page of a list; pass `cursor` back for the next one (null: no more). */
export type Page<TItem> = ItemPage<TItem>;

/** What {@link ConvoyClient.redrive} put back: old seq → new seq. */
export type RedriveReceipt = RedriveItem;

/** Filters of {@link ConvoyClient.list}. */
export interface ListOptions {
  readonly status?: ConvoyStatus;
  /** A state name or dot path into nested/parallel states. */
  readonly state?: string;
  /** Only convoys updated at or after this time (epoch ms). */
  readonly updatedAfter?: number;
  /** Only convoys that need attention (hold dead letters): `?attention=1`. */
  readonly attention?: boolean;
  readonly cursor?: string;
  readonly limit?: number;
}

/** Paging of {@link ConvoyClient.listDeadLetters}. */
export interface PageOptions {
  readonly cursor?: string;
  readonly limit?: number;
}

/** Diagram formats: in the type's description (`mermaid`, `stately`) or rendered (`dot`, `svg`). */
export type DiagramFormat = 'mermaid' | 'stately' | 'dot' | 'svg';

export type {
  ConvoyAttention,
  ConvoyTypeDescription,
  ConvoyTypeSummary,
  ConvoyView,
  DeadLetterItem,
  DeferredItem,
  EffectFailureNote,
  EventDecision,
  EventOutcomeReport,
  HistoryItem,
  InboxItem,
  TimerItem,
} from '@convoy/core';
