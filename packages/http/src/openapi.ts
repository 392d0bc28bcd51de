/**
 * The OpenAPI description of the API: JSON schemas attached to every route for `@fastify/swagger`.
 * They document; they do not validate or serialise (the plugin's scope sets pass-through compilers):
 * requests are checked by `request-parsing.ts` so every refusal keeps its stable error code.
 */
import type { FastifySchema } from 'fastify';

const errorBody = {
  type: 'object',
  description: 'The error body of every failure; `code` is listed in docs/errors.md',
  required: ['statusCode', 'code', 'message'],
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } },
} as const;

const jsonValue = {} as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const stateValue = {
  description: 'XState state value: a string, or an object for nested/parallel states',
  anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
} as const;
const status = { type: 'string', enum: ['active', 'done', 'blocked', 'stalled', 'paused'] } as const;
const event = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  additionalProperties: true,
} as const;

const convoyView = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    id: { type: 'string' },
    status,
    value: { ...stateValue, nullable: true },
    context: jsonValue,
    seq: { type: 'integer' },
    accepted: { type: 'integer' },
    deferred: { type: 'integer' },
    version: { type: 'integer' },
    createdAt: isoTime,
    updatedAt: isoTime,
    blockedReason: { type: 'string' },
  },
} as const;

const historyItem = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    event,
    outcome: {
      type: 'string',
      enum: ['applied', 'deferred', 'rejected', 'deadLettered', 'ignored', 'operator'],
    },
    from: { ...stateValue, nullable: true },
    to: { ...stateValue, nullable: true },
    at: isoTime,
    reason: { type: 'string' },
    error: { type: 'string' },
    operator: {
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['pause', 'resume', 'retry', 'redrive', 'discard'] },
        newSeq: { type: 'integer' },
        effectId: { type: 'string' },
        by: { type: 'string' },
      },
    },
  },
} as const;

const deadLetter = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    id: { type: 'string' },
    seq: { type: 'integer' },
    event,
    reason: { type: 'string' },
    error: { type: 'string' },
    at: isoTime,
  },
} as const;

const inboxEvent = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    event,
    acceptedAt: isoTime,
    source: { type: 'object', properties: { kind: { type: 'string' } }, additionalProperties: true },
    deferredAt: isoTime,
  },
} as const;

const timer = {
  type: 'object',
  properties: { timerId: { type: 'string' }, token: { type: 'string' }, dueAt: isoTime, event },
} as const;

const list = (item: object, paged = false): object => ({
  type: 'object',
  properties: {
    items: { type: 'array', items: item },
    ...(paged
      ? { cursor: { type: 'string', nullable: true, description: 'Pass as ?cursor= for the next page' } }
      : {}),
  },
});

const typeParam = { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } as const;
const keyParams = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' } },
  required: ['type', 'id'],
} as const;

/** Error responses every route may give. */
function errors(...statuses: number[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const code of [...statuses, 500, 503]) out[String(code)] = errorBody;
  return out;
}

/** Auth failures, for routes in a guarded group. */
const authErrors = [401, 403];

function route(
  tag: string,
  summary: string,
  parts: Omit<FastifySchema, 'summary' | 'tags'> & { readonly response: Record<string, unknown> },
): FastifySchema {
  return { tags: [tag], summary, ...parts };
}

/** The schema of every route, by `METHOD path`. */
export const routeSchemas = {
  'POST /convoys/:type/:id/events': route('convoys', 'Accept one event for a convoy', {
    params: keyParams,
    querystring: { type: 'object', properties: { wait: { type: 'integer', minimum: 0 } } },
    headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
    body: event,
    response: {
      202: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          id: { type: 'string' },
          seq: { type: 'integer' },
          duplicate: { type: 'boolean' },
          processed: { type: 'boolean' },
        },
      },
      ...errors(400, 404, 409, 413, 415, 422, 429, ...authErrors),
    },
  }),
  'GET /convoys/:type/:id/wait': route('convoys', 'Wait until the convoy processed a seq', {
    params: keyParams,
    querystring: {
      type: 'object',
      properties: { seq: { type: 'integer', minimum: 1 }, timeout: { type: 'integer', minimum: 0 } },
      required: ['seq'],
    },
    response: {
      200: { type: 'object', additionalProperties: true },
      ...errors(400, 404, 408, ...authErrors),
    },
  }),
  'GET /convoys/:type/stream': route(
    'convoys',
    'Live stream (SSE) of every committed change of any convoy of the type; id <updatedAt ms>-<id>, Last-Event-ID replays later changes',
    {
      params: typeParam,
      response: {
        200: { description: 'text/event-stream of `convoy` events (data: the convoy view)', type: 'string' },
        ...errors(400, 404, ...authErrors),
      },
    },
  ),
  'GET /convoys/:type/:id/stream': route(
    'convoys',
    'Live stream (SSE) of one convoy; id = processed seq, Last-Event-ID skips a view already seen',
    {
      params: keyParams,
      response: {
        200: { description: 'text/event-stream of `convoy` events (data: the convoy view)', type: 'string' },
        ...errors(400, 404, ...authErrors),
      },
    },
  ),
  'GET /convoys/:type/:id/wait-for': route(
    'convoys',
    'Wait until the convoy is in a state, has a tag, or is done (exactly one of state, tag, done=true)',
    {
      params: keyParams,
      querystring: {
        type: 'object',
        properties: {
          state: { type: 'string', description: 'Dot path, e.g. Shipping.Packing; matches nested values' },
          tag: { type: 'string' },
          done: { type: 'string', enum: ['true'] },
          timeout: { type: 'integer', minimum: 0 },
        },
      },
      response: { 200: convoyView, ...errors(400, 404, 408, 412, ...authErrors) },
    },
  ),
  'GET /convoys/:type/:id': route('convoys', "The convoy's current state", {
    params: keyParams,
    response: { 200: convoyView, ...errors(400, 404, ...authErrors) },
  }),
  'GET /convoys/:type/:id/history': route(
    'convoys',
    'The history, in processing order (download=1: as a file)',
    {
      params: keyParams,
      querystring: { type: 'object', properties: { download: { type: 'string', enum: ['1'] } } },
      response: { 200: list(historyItem), ...errors(400, 404, ...authErrors) },
    },
  ),
  'GET /convoys/:type': route('operator', 'List convoys of a type from the status index', {
    params: typeParam,
    querystring: {
      type: 'object',
      properties: {
        status,
        state: { type: 'string', description: 'State name or dot path (shipping.packing)' },
        updatedAfter: { type: 'string', description: 'ISO 8601 time or epoch milliseconds' },
        cursor: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
    },
    response: { 200: list(convoyView, true), ...errors(400, 404, ...authErrors) },
  }),
  'GET /convoys/:type/:id/dead-letters': route('operator', "A convoy's dead letters, oldest first", {
    params: keyParams,
    response: { 200: list(deadLetter), ...errors(400, 404, ...authErrors) },
  }),
  'GET /dead-letters/:type': route('operator', 'Dead letters of every convoy of a type', {
    params: typeParam,
    querystring: {
      type: 'object',
      properties: { cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
    },
    response: { 200: list(deadLetter, true), ...errors(400, 404, ...authErrors) },
  }),
  'POST /convoys/:type/:id/dead-letters/redrive': route(
    'operator',
    'Redrive all dead letters (in order), or one',
    {
      params: keyParams,
      body: {
        type: 'object',
        properties: { seq: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            redriven: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  seq: { type: 'integer' },
                  // 0 with an effectId: an effect's dead letter, put back into the outbox (no new event).
                  newSeq: { type: 'integer' },
                  effectId: { type: 'string' },
                },
              },
            },
          },
        },
        ...errors(400, 404, 413, 415, ...authErrors),
      },
    },
  ),
  'DELETE /convoys/:type/:id/dead-letters/:seq': route('operator', 'Discard one dead letter', {
    params: {
      type: 'object',
      properties: { type: { type: 'string' }, id: { type: 'string' }, seq: { type: 'integer', minimum: 1 } },
      required: ['type', 'id', 'seq'],
    },
    response: { 204: { type: 'null', description: 'Discarded' }, ...errors(400, 404, ...authErrors) },
  }),
  'POST /convoys/:type/:id/pause': route('operator', 'Pause: events are still accepted, no turns run', {
    params: keyParams,
    response: { 200: convoyView, ...errors(400, 404, 409, ...authErrors) },
  }),
  'POST /convoys/:type/:id/resume': route('operator', 'Resume a paused convoy', {
    params: keyParams,
    response: { 200: convoyView, ...errors(400, 404, 409, ...authErrors) },
  }),
  'POST /convoys/:type/:id/retry': route(
    'operator',
    "Clear blocked/stalled and retry the convoy's head now",
    {
      params: keyParams,
      response: { 200: convoyView, ...errors(400, 404, 409, ...authErrors) },
    },
  ),
  'GET /convoys/:type/:id/inbox': route('operator', 'Accepted events not processed yet', {
    params: keyParams,
    querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } },
    response: { 200: list(inboxEvent), ...errors(400, 404, ...authErrors) },
  }),
  'GET /convoys/:type/:id/deferred': route('operator', 'Events held by the defer policy', {
    params: keyParams,
    response: { 200: list(inboxEvent), ...errors(400, 404, ...authErrors) },
  }),
  'GET /convoys/:type/:id/timers': route('operator', 'Armed durable timers, earliest first', {
    params: keyParams,
    response: { 200: list(timer), ...errors(400, 404, ...authErrors) },
  }),
  'GET /convoy-types': route('types', 'Registered convoy types', {
    response: { 200: list({ type: 'object', additionalProperties: true }), ...errors(400, ...authErrors) },
  }),
  'GET /convoy-types/:type': route('types', "One type's events, states and diagrams", {
    params: typeParam,
    response: { 200: { type: 'object', additionalProperties: true }, ...errors(400, 404, ...authErrors) },
  }),
  'GET /healthz': route('health', 'Liveness: the process serves requests', {
    response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } },
  }),
  'GET /readyz': route('health', 'Readiness: the store is reachable', {
    response: {
      200: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } } },
      ...errors(),
    },
  }),
  'GET /metrics': route('health', 'Prometheus metrics (text exposition format)', {
    response: { 200: { type: 'string', description: 'text/plain; version=0.0.4' }, ...errors(...authErrors) },
  }),
  'GET /openapi.json': route('health', 'This OpenAPI document', {
    response: { 200: { type: 'object', additionalProperties: true } },
  }),
} satisfies Record<string, FastifySchema>;

/** A documented route. */
export type DocumentedRoute = keyof typeof routeSchemas;
