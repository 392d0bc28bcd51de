/**
 * The zod pieces the route table is made of: path params, query parameters, headers and bodies, each
 * with the stable error code and the message (naming the field) a refusal answers with. A custom issue
 * carries its Convoy code in `params.code`; any other issue is `invalid_request` with its message.
 */
import {
  ConvoyError,
  convoyStatuses,
  isConvoyError,
  validateConvoyId,
  validateIdempotencyKey,
} from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';
import { z } from 'zod';

/** A convoy type as `defineConvoy` accepts it: anything else cannot be registered. */
export const convoyTypePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const digitsPattern = /^(0|[1-9][0-9]{0,15})$/;

/** Quote a client-supplied value in a message without echoing an unbounded string. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** What a custom issue carries besides its message: the Convoy code and the error's details. */
export interface IssueParams {
  readonly code: ConvoyErrorCode;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A custom issue for a `ConvoyError` a core rule threw. */
function issueOf(error: unknown, input: unknown): z.core.$ZodRawIssue {
  if (!isConvoyError(error)) throw error;
  const params: IssueParams = { code: error.code, ...(error.details ? { details: error.details } : {}) };
  return { code: 'custom', message: error.message, input, params };
}

/**
 * A string checked by a rule that throws a `ConvoyError` (core's validators): the error becomes the issue,
 * so the refusal keeps the rule's own code and message.
 */
function ruled(rule: (value: string) => unknown): z.ZodString {
  return z.string().check((ctx) => {
    try {
      rule(ctx.value);
    } catch (error) {
      ctx.issues.push(issueOf(error, ctx.value));
    }
  });
}

/** `:type`: an unknown type is a 404 whatever else is wrong (it could never have been registered). */
export const convoyTypeParam = ruled((type) => {
  if (!convoyTypePattern.test(type)) {
    throw new ConvoyError('unknown_convoy_type', `Unknown convoy type ${quote(type)}`, { type });
  }
}).meta({ description: 'A registered convoy type' });

/** `:id`: core's rule, so every edge refuses the same ids; no gateway call is made for a bad one. */
export const convoyIdParam = ruled(validateConvoyId).meta({
  description: 'The convoy id (correlation id), 1 to 128 characters',
});

/** `:seq` of a dead letter. */
export const deadLetterSeqParam = z
  .string({ error: 'The dead letter seq must be an integer >= 1' })
  .regex(/^[1-9][0-9]{0,15}$/, { error: 'The dead letter seq must be an integer >= 1' })
  .transform(Number)
  .meta({ description: 'The dead letter seq' });

/**
 * An optional integer query parameter in `[min, max]`, written as plain decimal digits. Repeated
 * parameters, signs, fractions and exponents are refused rather than coerced.
 */
export function integerQuery(name: string, min: number, max: number) {
  const error = `Query parameter "${name}" must be an integer from ${min} to ${max}`;
  return z
    .string({ error })
    .regex(digitsPattern, { error })
    .transform(Number)
    .pipe(z.number().int().min(min, { error }).max(max, { error }))
    .optional()
    .meta({ description: `An integer from ${min} to ${max}` });
}

/** An optional single-valued string query parameter of 1 to 512 characters. */
export function textQuery(name: string, description: string) {
  const error = `Query parameter "${name}" must be given once, 1 to 512 characters`;
  return z.string({ error }).min(1, { error }).max(512, { error }).optional().meta({ description });
}

/** `status`: one of the convoy statuses. */
export const statusQuery = z
  .enum(convoyStatuses, {
    error: (issue) =>
      typeof issue.input === 'string' && issue.input.length > 0 && issue.input.length <= 512
        ? `Unknown status ${quote(issue.input)} (expected: ${convoyStatuses.join(', ')})`
        : 'Query parameter "status" must be given once, 1 to 512 characters',
  })
  .optional();

/** A time as a query parameter: ISO 8601 or epoch milliseconds, as epoch ms. */
export function timeQuery(name: string) {
  const error = `Query parameter "${name}" must be an ISO 8601 time or epoch ms`;
  return textQuery(name, 'ISO 8601 time or epoch milliseconds')
    .unwrap()
    .transform((raw, ctx) => {
      const ms = /^\d{1,16}$/.test(raw)
        ? Number(raw)
        : /^\d{4}-\d\d-\d\dT/.test(raw)
          ? Date.parse(raw)
          : Number.NaN;
      if (!Number.isFinite(ms)) {
        ctx.issues.push({ code: 'custom', message: error, input: raw });
        return z.NEVER;
      }
      return ms;
    })
    .optional();
}

/** One non-empty string of at most 256 characters (a `wait-for` condition). */
export function conditionQuery(name: string, description: string) {
  const error = `Query parameter "${name}" must be one non-empty string`;
  return z.string({ error }).min(1, { error }).max(256, { error }).optional().meta({ description });
}

/** An optional switch: the query parameter is absent, or `<name>=1`. */
export function flagQuery(name: string, description: string) {
  return z
    .literal('1', { error: `Query parameter "${name}" must be 1` })
    .optional()
    .meta({ description });
}

/** The optional `Idempotency-Key` header (a header sent twice arrives as an array and is refused). */
export const idempotencyKeyHeader = z
  .unknown()
  .check((ctx) => {
    const { value } = ctx;
    if (value === undefined) return;
    try {
      if (typeof value !== 'string') {
        throw new ConvoyError('invalid_idempotency_key', 'Send the Idempotency-Key header at most once');
      }
      validateIdempotencyKey(value);
    } catch (error) {
      ctx.issues.push(issueOf(error, value));
    }
  })
  .transform((value) => value as string)
  .optional()
  .meta({
    type: 'string',
    description: 'The same key on the same convoy is accepted once (1 to 200 printable characters)',
  });

/**
 * An event body: a JSON object with a string `type`. Whether the convoy knows that type (and `xstate.*`
 * reservations) is the gateway's call.
 */
export const eventBody = z.looseObject(
  { type: z.string({ error: 'Event must have a string "type"' }).meta({ description: 'The event type' }) },
  { error: 'Request body must be a JSON object: the XState event, e.g. {"type":"Go"}' },
);

/** The optional redrive body: nothing (all letters) or `{ "seq": n }`. */
export const redriveBody = z
  .strictObject(
    {
      seq: z
        .number({ error: 'Body must be empty or {"seq": n} with n an integer >= 1' })
        .int()
        .min(1)
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? 'Body must be empty or {"seq": n} with n an integer >= 1'
          : 'Body must be empty or a JSON object {"seq": n}',
    },
  )
  .nullish();

/** Most convoys (or letters) one bulk request may name: each is its own recorded operator action. */
export const maxBulkItems = 100;

const bulkIdsError = `Body must be {"ids": [...]} with 1 to ${maxBulkItems} distinct convoy ids`;

/** `POST /dead-letters/:type/redrive`: the convoys whose dead letters to redrive, each in order. */
export const bulkRedriveBody = z.strictObject(
  {
    ids: z
      .array(convoyIdParam, { error: bulkIdsError })
      .min(1, { error: bulkIdsError })
      .max(maxBulkItems, { error: bulkIdsError })
      .refine((ids) => new Set(ids).size === ids.length, { error: bulkIdsError }),
  },
  { error: bulkIdsError },
);

const bulkLettersError = `Body must be {"letters": [{"id": ..., "seq": n}, ...]} with 1 to ${maxBulkItems} distinct letters`;

/** `POST /dead-letters/:type/discard`: the dead letters to discard. */
export const bulkDiscardBody = z.strictObject(
  {
    letters: z
      .array(
        z.strictObject(
          {
            id: convoyIdParam,
            seq: z.number({ error: bulkLettersError }).int({ error: bulkLettersError }).min(1, {
              error: bulkLettersError,
            }),
          },
          { error: bulkLettersError },
        ),
        { error: bulkLettersError },
      )
      .min(1, { error: bulkLettersError })
      .max(maxBulkItems, { error: bulkLettersError })
      .refine((letters) => new Set(letters.map((l) => `${l.seq}:${l.id}`)).size === letters.length, {
        error: bulkLettersError,
      }),
  },
  { error: bulkLettersError },
);
