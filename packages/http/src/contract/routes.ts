/**
 * The route table of the API: every route once, with its request schemas (which validate) and its
 * answers (which document). `GET /openapi.json` is generated from this table; the 405 guards are
 * derived from it too.
 */
import { z } from 'zod';
import {
  bulkDiscardBody,
  bulkRedriveBody,
  conditionQuery,
  convoyIdParam,
  convoyTypeParam,
  deadLetterSeqParam,
  eventBody,
  flagQuery,
  idempotencyKeyHeader,
  integerQuery,
  redriveBody,
  statusQuery,
  textQuery,
  timeQuery,
} from './fields.ts';
import {
  acceptedItem,
  bulkDiscardItem,
  bulkRedriveItem,
  fleetItem,
  convoyItem,
  deadLetterItem,
  deferredItem,
  historyItem,
  inboxItem,
  listOf,
  pageOf,
  redriveItem,
  timerItem,
  typeSummaryItem,
  waitItem,
} from './responses.ts';
import { defineRoute } from './route-spec.ts';
import type { NonJsonAnswer } from './route-spec.ts';

/** Largest page a list route returns. */
export const maxListLimit = 500;
/** Operator bodies are tiny (`{"seq": 7}`): anything bigger is refused early. */
const operatorBodyLimit = 1024;
/** A bulk body names at most 100 ids (128 characters each) or letters. */
const bulkBodyLimit = 64 * 1024;

const typeParams = z.strictObject({ type: convoyTypeParam });
const keyParams = z.strictObject({ type: convoyTypeParam, id: convoyIdParam });
const noQuery = z.strictObject({});
const described = z.looseObject({}).meta({ description: 'The type description (see docs/http-api.md)' });

/** `final=1`: a wait goes on past a deferral until the event is applied or refused. */
const finalQuery = flagQuery(
  'final',
  'With a wait: 1 waits past a deferral until the event is applied or refused (else it answers deferred)',
);

/** Bounds of `?wait=` / `timeout=`: the plugin's `maxWaitMs`. */
function waitQuery(name: string, maxWaitMs: number) {
  return integerQuery(name, 0, maxWaitMs);
}

/** A `read` GET route of one convoy (`/convoys/:type/:id<path>`) without query parameters. */
const convoyRead = (path: string, tag: 'convoys' | 'operator', summary: string, answer: z.ZodType) =>
  defineRoute({
    method: 'GET',
    url: `/convoys/:type/:id${path}`,
    tag,
    summary,
    group: 'read',
    params: keyParams,
    querystring: noQuery,
    responses: { 200: answer },
    errors: [400, 404],
  });

/** A `read` GET route of one type (`/convoy-types/:type<path>`) without query parameters. */
const typeRead = (path: string, summary: string, answer: z.ZodType | NonJsonAnswer) =>
  defineRoute({
    method: 'GET',
    url: `/convoy-types/:type${path}`,
    tag: 'types',
    summary,
    group: 'read',
    params: typeParams,
    querystring: noQuery,
    responses: { 200: answer },
    errors: [400, 404],
  });

/** An SSE route: `event: convoy` with the convoy view as data; `Last-Event-ID` resumes. */
const streamRoute = <TParams extends z.ZodType>(url: string, summary: string, params: TParams) =>
  defineRoute({
    method: 'GET',
    url,
    tag: 'convoys',
    summary,
    group: 'read',
    params,
    querystring: noQuery,
    headers: z.looseObject({ 'last-event-id': z.string().optional() }),
    responses: {
      200: { description: '`event: convoy`, data: the convoy view', contentType: 'text/event-stream' },
    },
    errors: [400, 404],
  });

const statusAction = (action: 'pause' | 'resume' | 'retry', summary: string) =>
  defineRoute({
    method: 'POST',
    url: `/convoys/:type/:id/${action}`,
    tag: 'operator',
    summary,
    group: 'operate',
    bodyLimit: operatorBodyLimit,
    params: keyParams,
    querystring: noQuery,
    responses: { 200: convoyItem },
    errors: [400, 404, 409],
  });

/** The routes, by `METHOD path`; wait bounds depend on the plugin's options. */
export function apiRoutes(maxWaitMs: number) {
  return {
    'POST /convoys/:type/:id/events': defineRoute({
      method: 'POST',
      url: '/convoys/:type/:id/events',
      tag: 'convoys',
      summary: 'Accept one event for a convoy (with ?wait=: and answer with its outcome)',
      group: 'write',
      params: keyParams,
      querystring: z.strictObject({
        wait: waitQuery('wait', maxWaitMs),
        final: finalQuery,
      }),
      headers: z.looseObject({ 'idempotency-key': idempotencyKeyHeader }),
      body: eventBody,
      responses: { 202: acceptedItem },
      errors: [400, 404, 409, 413, 415, 422, 429],
    }),
    'GET /convoys/:type/:id/wait': defineRoute({
      method: 'GET',
      url: '/convoys/:type/:id/wait',
      tag: 'convoys',
      summary: "Wait until the convoy processed a seq: the event's outcome and the convoy's status and state",
      group: 'read',
      params: keyParams,
      querystring: z.strictObject({
        seq: integerQuery('seq', 1, Number.MAX_SAFE_INTEGER).unwrap().meta({ description: 'Required' }),
        timeout: waitQuery('timeout', maxWaitMs),
        final: finalQuery,
      }),
      responses: { 200: waitItem },
      errors: [400, 404, 408],
    }),
    'GET /convoys/:type/stream': streamRoute(
      '/convoys/:type/stream',
      "Live stream (SSE) of every committed change of any convoy of the type; id <updatedAt ms>-<id>, Last-Event-ID replays later changes; 503 too_many_streams (Retry-After) past the node's maxStreams",
      typeParams,
    ),
    'GET /convoys/:type/:id/stream': streamRoute(
      '/convoys/:type/:id/stream',
      "Live stream (SSE) of the convoy's view; id = processed seq, Last-Event-ID resumes; 503 too_many_streams (Retry-After) past the node's maxStreams",
      keyParams,
    ),
    'GET /convoys/:type/:id/wait-for': defineRoute({
      method: 'GET',
      url: '/convoys/:type/:id/wait-for',
      tag: 'convoys',
      summary:
        'Wait until the convoy is in a state, has a tag, or is done (exactly one of state, tag, done=true)',
      group: 'read',
      params: keyParams,
      querystring: z.strictObject({
        state: conditionQuery('state', 'Dot path, e.g. Shipping.Packing; matches nested values'),
        tag: conditionQuery('tag', 'A state tag'),
        done: conditionQuery('done', 'true'),
        timeout: waitQuery('timeout', maxWaitMs),
      }),
      responses: { 200: convoyItem },
      errors: [400, 404, 408, 412],
    }),
    'GET /convoys/:type/:id': convoyRead('', 'convoys', "The convoy's current state", convoyItem),
    'GET /convoys/:type/:id/history': defineRoute({
      method: 'GET',
      url: '/convoys/:type/:id/history',
      tag: 'convoys',
      summary: 'The history, in processing order (download=1: as a file)',
      group: 'read',
      params: keyParams,
      querystring: z.strictObject({
        download: z.literal('1', { error: 'Query parameter "download" must be 1' }).optional(),
      }),
      responses: { 200: listOf(historyItem) },
      errors: [400, 404],
    }),
    'GET /convoys/:type': defineRoute({
      method: 'GET',
      url: '/convoys/:type',
      tag: 'operator',
      summary: 'List convoys of a type from the status index, newest update first',
      group: 'read',
      params: typeParams,
      querystring: z.strictObject({
        status: statusQuery,
        state: textQuery('state', 'State name or dot path (Shipping.Packing)'),
        updatedAfter: timeQuery('updatedAfter'),
        attention: z
          .enum(['1', '0'], { error: 'Query parameter "attention" must be 1 or 0' })
          .optional()
          .meta({ description: '1: only convoys that need attention (hold dead letters)' }),
        cursor: textQuery('cursor', "The previous page's cursor"),
        limit: integerQuery('limit', 1, maxListLimit),
      }),
      responses: { 200: pageOf(convoyItem) },
      errors: [400, 404],
    }),
    'GET /convoys/:type/:id/dead-letters': convoyRead(
      '/dead-letters',
      'operator',
      "A convoy's dead letters, oldest first",
      listOf(deadLetterItem),
    ),
    'GET /dead-letters/:type': defineRoute({
      method: 'GET',
      url: '/dead-letters/:type',
      tag: 'operator',
      summary: 'Dead letters of every convoy of a type',
      group: 'read',
      params: typeParams,
      querystring: z.strictObject({
        cursor: textQuery('cursor', "The previous page's cursor"),
        limit: integerQuery('limit', 1, maxListLimit),
      }),
      responses: { 200: pageOf(deadLetterItem) },
      errors: [400, 404],
    }),
    'POST /dead-letters/:type/redrive': defineRoute({
      method: 'POST',
      url: '/dead-letters/:type/redrive',
      tag: 'operator',
      summary:
        "Redrive the dead letters of up to 100 convoys (each convoy's in order, each recorded in its history)",
      group: 'operate',
      bodyLimit: bulkBodyLimit,
      params: typeParams,
      querystring: noQuery,
      body: bulkRedriveBody,
      responses: { 200: bulkRedriveItem },
      errors: [400, 404, 413, 415],
    }),
    'POST /dead-letters/:type/discard': defineRoute({
      method: 'POST',
      url: '/dead-letters/:type/discard',
      tag: 'operator',
      summary: 'Discard up to 100 dead letters (each recorded in its convoy history)',
      group: 'operate',
      bodyLimit: bulkBodyLimit,
      params: typeParams,
      querystring: noQuery,
      body: bulkDiscardBody,
      responses: { 200: bulkDiscardItem },
      errors: [400, 404, 413, 415],
    }),
    'POST /convoys/:type/:id/dead-letters/redrive': defineRoute({
      method: 'POST',
      url: '/convoys/:type/:id/dead-letters/redrive',
      tag: 'operator',
      summary: 'Redrive all dead letters (in order), or one',
      group: 'operate',
      bodyLimit: operatorBodyLimit,
      params: keyParams,
      querystring: noQuery,
      body: redriveBody,
      responses: { 200: redriveItem },
      errors: [400, 404, 413, 415],
    }),
    'DELETE /convoys/:type/:id/dead-letters/:seq': defineRoute({
      method: 'DELETE',
      url: '/convoys/:type/:id/dead-letters/:seq',
      tag: 'operator',
      summary: 'Discard one dead letter',
      group: 'operate',
      bodyLimit: operatorBodyLimit,
      params: z.strictObject({ type: convoyTypeParam, id: convoyIdParam, seq: deadLetterSeqParam }),
      querystring: noQuery,
      responses: { 204: { description: 'Discarded' } },
      errors: [400, 404],
    }),
    'POST /convoys/:type/:id/pause': statusAction('pause', 'Pause: events are still accepted, no turns run'),
    'POST /convoys/:type/:id/resume': statusAction('resume', 'Resume a paused convoy'),
    'POST /convoys/:type/:id/retry': statusAction(
      'retry',
      "Clear blocked/stalled and retry the convoy's head now",
    ),
    'GET /convoys/:type/:id/inbox': defineRoute({
      method: 'GET',
      url: '/convoys/:type/:id/inbox',
      tag: 'operator',
      summary: 'Accepted events not processed yet, in seq order',
      group: 'read',
      params: keyParams,
      querystring: z.strictObject({ limit: integerQuery('limit', 1, maxListLimit) }),
      responses: { 200: listOf(inboxItem) },
      errors: [400, 404],
    }),
    'GET /convoys/:type/:id/deferred': convoyRead(
      '/deferred',
      'operator',
      'Events held by the defer policy',
      listOf(deferredItem),
    ),
    'GET /convoys/:type/:id/timers': convoyRead(
      '/timers',
      'operator',
      'Armed durable timers, earliest first',
      listOf(timerItem),
    ),
    'GET /fleet': defineRoute({
      method: 'GET',
      url: '/fleet',
      tag: 'operator',
      summary:
        'Every type at a glance: convoys per status and with dead letters (from the indexes), events in the last minute',
      group: 'read',
      querystring: noQuery,
      responses: { 200: fleetItem },
      errors: [400],
    }),
    'GET /convoy-types': defineRoute({
      method: 'GET',
      url: '/convoy-types',
      tag: 'types',
      summary: 'Registered convoy types',
      group: 'read',
      querystring: noQuery,
      responses: { 200: listOf(typeSummaryItem) },
      errors: [400],
    }),
    'GET /convoy-types/:type': typeRead(
      '',
      "One type's events, states, JSON graph and Mermaid diagram",
      described,
    ),
    'GET /convoy-types/:type/diagram.dot': typeRead(
      '/diagram.dot',
      "The type's state diagram as Graphviz DOT; every state's id is its state node id",
      { description: 'Graphviz DOT source', contentType: 'text/vnd.graphviz' },
    ),
    'GET /convoy-types/:type/diagram.svg': typeRead(
      '/diagram.svg',
      "The type's state diagram as SVG; every state's <g> has id = its state node id",
      { description: 'SVG document', contentType: 'image/svg+xml' },
    ),
    'GET /healthz': defineRoute({
      method: 'GET',
      url: '/healthz',
      tag: 'health',
      summary: 'Liveness: the process serves requests',
      responses: { 200: z.strictObject({ status: z.literal('ok') }) },
    }),
    'GET /readyz': defineRoute({
      method: 'GET',
      url: '/readyz',
      tag: 'health',
      summary: 'Readiness: the store is reachable',
      querystring: noQuery,
      responses: { 200: z.strictObject({ status: z.literal('ready') }) },
      errors: [400],
    }),
    'GET /metrics': defineRoute({
      method: 'GET',
      url: '/metrics',
      tag: 'health',
      summary: 'Prometheus metrics (text exposition format)',
      group: 'read',
      responses: { 200: { description: 'Prometheus text', contentType: 'text/plain; version=0.0.4' } },
    }),
    'GET /openapi.json': defineRoute({
      method: 'GET',
      url: '/openapi.json',
      tag: 'health',
      summary: 'This OpenAPI document',
      responses: { 200: z.looseObject({}).meta({ description: 'OpenAPI 3 document' }) },
    }),
  } as const;
}

/** The route table. */
export type ApiRoutes = ReturnType<typeof apiRoutes>;

/** A documented route, as `METHOD path`. */
export type DocumentedRoute = keyof ApiRoutes;
