/**
 * The JSON the routes answer with, as zod schemas for the OpenAPI document. The TypeScript shapes are
 * core's wire items (`@convoy/core/wire`); the enumerations come from the same lists, and a test checks
 * real answers against these schemas, so the document cannot drift from what is sent.
 */
import {
  convoyStatuses,
  effectKinds,
  errorStatusByCode,
  eventDecisions,
  eventOutcomes,
  operatorActions,
} from '@convoy/core';
import type { ConvoyErrorCode, EventDecision } from '@convoy/core';
import { z } from 'zod';

const isoTime = z.iso.datetime().meta({ description: 'ISO 8601 time (UTC)' });
const json = z.unknown().meta({ description: 'Any JSON value' });
const stateValue = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .meta({ description: 'XState state value: a string, or an object for nested/parallel states' });

/** An event as clients send it: a `type` plus any JSON payload. */
export const eventItem = z.looseObject({ type: z.string() });

/** The body of every error answer. */
export const errorItem = z
  .strictObject({
    statusCode: z.int(),
    code: z.enum(Object.keys(errorStatusByCode) as [ConvoyErrorCode, ...ConvoyErrorCode[]]),
    message: z.string(),
  })
  .meta({ description: 'The error body of every failure; `code` is listed in docs/errors.md' });

export const convoyItem = z.strictObject({
  type: z.string(),
  id: z.string(),
  status: z.enum(convoyStatuses),
  value: stateValue.nullable(),
  context: json,
  seq: z.int().meta({ description: 'Last processed seq' }),
  accepted: z.int().meta({ description: 'Last accepted seq' }),
  deferred: z.int().meta({ description: 'Number of deferred events' }),
  version: z.int().meta({ description: 'Definition version' }),
  createdAt: isoTime,
  updatedAt: isoTime,
  blockedReason: z.string().optional(),
  attention: z
    .strictObject({
      deadLetters: z.int().meta({ description: 'Dead letters the convoy holds' }),
      reason: z.string().meta({ description: "The latest dead letter's reason code" }),
      seq: z.int(),
      error: z.string().optional(),
      effect: z.string().optional().meta({ description: 'The failed effect, when the latest letter is one' }),
      at: isoTime,
    })
    .optional()
    .meta({
      description: 'Present while the convoy holds dead letters; clears with the last redrive/discard',
    }),
});

export const historyItem = z.strictObject({
  seq: z.int(),
  event: eventItem,
  outcome: z.enum(eventOutcomes),
  from: stateValue.nullable(),
  to: stateValue.nullable(),
  at: isoTime,
  reason: z.string().optional(),
  error: z.string().optional(),
  failure: z
    .strictObject({
      kind: z.enum(effectKinds),
      name: z.string().meta({ description: "The action's name, or the invoke's id" }),
      effectId: z.string(),
      deadLettered: z.boolean(),
    })
    .optional()
    .meta({ description: 'Only on outcome effectFailed: the effect or invoke that failed for good' }),
  operator: z
    .strictObject({
      action: z.enum(operatorActions),
      newSeq: z.int().optional(),
      effectId: z.string().optional(),
      by: z.string().optional(),
    })
    .optional(),
});

/** An effect as planned by a transition (in an effect's dead letter). */
export const effectItem = z.strictObject({
  id: z.string().meta({ description: 'Stable effect id: the idempotency key handed to the effect' }),
  action: z.string(),
  params: json.optional(),
  seq: z.int(),
  event: eventItem,
  context: json.optional(),
});

export const deadLetterItem = z.strictObject({
  type: z.string(),
  id: z.string(),
  seq: z.int(),
  event: eventItem,
  reason: z.string(),
  error: z.string().optional(),
  at: isoTime,
  effect: effectItem
    .optional()
    .meta({ description: 'Set when an effect failed for good: redrive runs it again' }),
});

const source = z
  .looseObject({ kind: z.enum(['client', 'timer', 'effect', 'redrive']) })
  .meta({ description: 'Where the event came from' });

export const inboxItem = z.strictObject({ seq: z.int(), event: eventItem, acceptedAt: isoTime, source });

export const deferredItem = inboxItem.extend({ deferredAt: isoTime });

export const timerItem = z.strictObject({
  timerId: z.string(),
  token: z.string(),
  dueAt: isoTime,
  event: eventItem,
});

/** What a wait learned about a processed event (see `EventOutcomeReport`). */
const outcomeFields = {
  outcome: z
    .enum(eventDecisions as [EventDecision, ...EventDecision[]])
    .meta({ description: "The event's outcome (absent only if the history cap dropped its entry)" }),
  reason: z.string().meta({ description: 'Why it was not applied, e.g. convoy_done, guard_rejected' }),
  error: z.string().meta({ description: 'The error message of a handler_error' }),
  final: z.boolean().meta({ description: 'False while the event is deferred: it may still be applied' }),
  status: z.enum(convoyStatuses).meta({ description: "The convoy's status after the event's turn" }),
  value: stateValue.nullable().meta({ description: "The convoy's state value after the event's turn" }),
};

export const acceptedItem = z.strictObject({
  type: z.string(),
  id: z.string(),
  seq: z.int(),
  duplicate: z.boolean(),
  processed: z.boolean().optional().meta({ description: 'Only with ?wait=' }),
  outcome: outcomeFields.outcome.optional(),
  reason: outcomeFields.reason.optional(),
  error: outcomeFields.error.optional(),
  final: outcomeFields.final.optional().meta({ description: 'With processed: true' }),
  status: outcomeFields.status.optional().meta({ description: 'With processed: true' }),
  value: outcomeFields.value.optional().meta({ description: 'With processed: true' }),
});

export const waitItem = z.strictObject({
  type: z.string(),
  id: z.string(),
  seq: z.int(),
  processed: z.literal(true),
  outcome: outcomeFields.outcome.optional(),
  reason: outcomeFields.reason.optional(),
  error: outcomeFields.error.optional(),
  final: outcomeFields.final,
  status: outcomeFields.status,
  value: outcomeFields.value,
});

export const redriveItem = z.strictObject({
  redriven: z.array(
    z.strictObject({
      seq: z.int(),
      newSeq: z.int().meta({ description: "0 for an effect's dead letter (no new event)" }),
      effectId: z
        .string()
        .optional()
        .meta({ description: "For an effect's dead letter: the effect put back into the outbox" }),
    }),
  ),
});

/** A type as `GET /convoy-types` lists it. */
export const typeSummaryItem = z.looseObject({
  type: z.string(),
  version: z.int(),
  description: z.string().optional(),
  events: z.array(z.string()),
});

const statusCounts = z.strictObject(
  Object.fromEntries(convoyStatuses.map((status) => [status, z.int()])) as Record<
    (typeof convoyStatuses)[number],
    z.ZodInt
  >,
);

/** `GET /fleet`: every type at a glance. */
export const fleetItem = z.strictObject({
  at: isoTime,
  items: z.array(
    z.strictObject({
      type: z.string(),
      version: z.int(),
      description: z.string().optional(),
      counts: statusCounts.meta({ description: 'Convoys per status, from the status index' }),
      deadLetterConvoys: z.int().meta({ description: 'Convoys holding at least one dead letter' }),
      oldestWaitingAgeMs: z
        .int()
        .nullable()
        .meta({ description: "Age of the type's oldest unprocessed event in ms (null: none waits)" }),
      lastMinute: z
        .strictObject({ received: z.int(), processed: z.int(), scope: z.literal('node') })
        .nullable()
        .meta({ description: 'Counted by the answering node over the last 60 s; null without metrics' }),
    }),
  ),
});

const bulkFailure = z.strictObject({ code: errorItem.shape.code, message: z.string() });

/** `POST /dead-letters/:type/redrive`: one result per convoy, in the order asked. */
export const bulkRedriveItem = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.string(),
      redriven: redriveItem.shape.redriven.optional(),
      error: bulkFailure.optional(),
    }),
  ),
});

/** `POST /dead-letters/:type/discard`: one result per letter, in the order asked. */
export const bulkDiscardItem = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.string(),
      seq: z.int(),
      discarded: z.boolean(),
      error: bulkFailure.optional(),
    }),
  ),
});

/** `{ items }` of a list. */
export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });

/** `{ items, cursor }` of a paged list. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    cursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page' }),
  });
