/**
 * The JSON items the HTTP API answers with, typed once from core's model: times become ISO 8601
 * strings, a dead letter's key is flattened. The HTTP routes build them with the `to…Item` functions
 * below; `@convoy/client`, the CLI and the console page read them through these types.
 * Only type imports: this module is safe to bundle into the browser page.
 */
import type {
  ConvoyStatus,
  ConvoyView,
  DeadLetter,
  DeferredEvent,
  EventOutcomeReport,
  HistoryEntry,
  InboxEvent,
  TimerArm,
} from '../model.ts';
import type { ConvoyErrorCode } from '../errors.ts';

/** One history line as the API shows it: `at` as ISO 8601. */
export interface HistoryItem extends Omit<HistoryEntry, 'at'> {
  readonly at: string;
}

/** One dead letter as the API shows it: the convoy key flattened, `at` as ISO 8601. */
export interface DeadLetterItem extends Omit<DeadLetter, 'at' | 'key'> {
  readonly type: string;
  readonly id: string;
  readonly at: string;
}

/** An accepted, unprocessed event (`acceptedAt` as ISO 8601). */
export interface InboxItem extends Omit<InboxEvent, 'acceptedAt'> {
  readonly acceptedAt: string;
}

/** An event held by the `defer` policy (times as ISO 8601). */
export interface DeferredItem extends Omit<DeferredEvent, 'acceptedAt' | 'deferredAt'> {
  readonly acceptedAt: string;
  readonly deferredAt: string;
}

/** An armed timer (`dueAt` as ISO 8601). */
export interface TimerItem extends Omit<TimerArm, 'dueAt'> {
  readonly dueAt: string;
}

/** The fields of every `202` receipt of an accepted event. */
export interface ReceiptItem {
  readonly type: string;
  readonly id: string;
  /** The event's position in its convoy. */
  readonly seq: number;
  /** True when the idempotency key was seen before: this is the original receipt. */
  readonly duplicate: boolean;
}

/**
 * The `202` receipt of an accepted event. Without `?wait=`, `processed` is absent; with it, `processed`
 * says whether the event was processed before the wait ended, and when it was the receipt carries the
 * event's outcome and the convoy's resulting `status` and `value` ({@link EventOutcomeReport}).
 */
export type AcceptedItem = ReceiptItem &
  (
    | { readonly processed?: undefined }
    | { readonly processed: false }
    | ({ readonly processed: true } & EventOutcomeReport)
  );

/** The answer of `GET /convoys/:type/:id/wait`: the seq is processed, with its outcome. */
export interface WaitItem extends EventOutcomeReport {
  readonly type: string;
  readonly id: string;
  readonly seq: number;
  readonly processed: true;
}

/**
 * What a redrive put back, in order: old seq → new seq, or for an effect's dead letter the effect put
 * back into the outbox (`newSeq` 0, `effectId`).
 */
export interface RedriveItem {
  readonly redriven: ReadonlyArray<{
    readonly seq: number;
    readonly newSeq: number;
    readonly effectId?: string;
  }>;
}

/** One type in the fleet overview (`GET /fleet`). */
export interface FleetTypeItem {
  readonly type: string;
  readonly version: number;
  readonly description?: string;
  /** Convoys per status, from the status index (never a scan). */
  readonly counts: StatusCounts;
  /** Convoys holding at least one dead letter, from the dead-letter index. */
  readonly deadLetterConvoys: number;
  /** How long the type's oldest unprocessed event has waited (ms), from the waiting index; null: none. */
  readonly oldestWaitingAgeMs: number | null;
  /**
   * Events received into inboxes and outcomes committed in the last 60 s, as counted by the node that
   * answers (`scope: 'node'`); null when that node keeps no metrics. Sum `rate()` of the Prometheus
   * counters over every node for the fleet-wide figure.
   */
  readonly lastMinute: {
    readonly received: number;
    readonly processed: number;
    readonly scope: 'node';
  } | null;
}

/** The fleet overview: every registered type at a glance. */
export interface FleetItem {
  /** When the counts were read (ISO 8601). */
  readonly at: string;
  readonly items: readonly FleetTypeItem[];
}

/** A refusal inside a bulk answer: the error code and message the single action would have answered. */
export interface BulkFailure {
  readonly code: ConvoyErrorCode;
  readonly message: string;
}

/** One convoy of a bulk redrive: what it put back, or why it could not. */
export interface BulkRedriveResult {
  readonly id: string;
  readonly redriven?: RedriveItem['redriven'];
  readonly error?: BulkFailure;
}

/** One letter of a bulk discard: discarded, or why not. */
export interface BulkDiscardResult {
  readonly id: string;
  readonly seq: number;
  readonly discarded: boolean;
  readonly error?: BulkFailure;
}

/** A list answer; `cursor` (paged lists only) is passed back for the next page, null on the last. */
export interface ItemList<TItem> {
  readonly items: readonly TItem[];
}

/** A page of a paged list; pass `cursor` back as `?cursor=` for the next one (null: no more). */
export interface ItemPage<TItem> extends ItemList<TItem> {
  readonly cursor: string | null;
}

/** The body of every error response. */
export interface ErrorReplyBody {
  readonly statusCode: number;
  readonly code: ConvoyErrorCode;
  readonly message: string;
}

/** The per-status counts of a type (as the metrics gauge reads them). */
export type StatusCounts = Readonly<Record<ConvoyStatus, number>>;

/** The convoy view, unchanged on the wire (its times are already ISO 8601). */
export type ConvoyItem = ConvoyView;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Render a history entry for the API. */
export function toHistoryItem(entry: HistoryEntry): HistoryItem {
  return { ...entry, at: iso(entry.at) };
}

/** Render a dead letter for the API. */
export function toDeadLetterItem(letter: DeadLetter): DeadLetterItem {
  const { key, at, ...rest } = letter;
  return { type: key.type, id: key.id, ...rest, at: iso(at) };
}

/** Render an inbox event for the API. */
export function toInboxItem(event: InboxEvent): InboxItem {
  return { ...event, acceptedAt: iso(event.acceptedAt) };
}

/** Render a deferred event for the API. */
export function toDeferredItem(event: DeferredEvent): DeferredItem {
  return { ...event, acceptedAt: iso(event.acceptedAt), deferredAt: iso(event.deferredAt) };
}

/** Render an armed timer for the API. */
export function toTimerItem(timer: TimerArm): TimerItem {
  return { ...timer, dueAt: iso(timer.dueAt) };
}
