/**
 * The routes of one convoy: accept an event, wait for processing, read the view and the history.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyGateway, ConvoyKey, HistoryEntry, WaitCondition } from '@convoy/core';
import { context } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { guardOptions, type AuthHooks } from './auth.ts';
import { routeSchemas } from './openapi.ts';
import { callerContext } from './tracing.ts';
import {
  assertQueryNames,
  readConvoyKey,
  readEventBody,
  readIdempotencyKey,
  readIntegerQuery,
  readWaitCondition,
} from './request-parsing.ts';

/** What the routes need from the plugin's options, with defaults applied. */
export interface ConvoyRouteSettings {
  readonly gateway: ConvoyGateway;
  readonly bodyLimit: number;
  readonly maxWaitMs: number;
  /** Timeout of `GET .../wait` when the client gives none. */
  readonly defaultWaitMs: number;
  /** Access control per route group. */
  readonly auth: AuthHooks;
}

/** One history line as the API shows it: `at` as an ISO string. */
export interface HistoryItem extends Omit<HistoryEntry, 'at'> {
  readonly at: string;
}

/** Render a history entry for the API (time as ISO 8601; everything else unchanged). */
export function toHistoryItem(entry: HistoryEntry): HistoryItem {
  return { ...entry, at: new Date(entry.at).toISOString() };
}

function describeCondition(condition: WaitCondition): string {
  if (condition.kind === 'state') return `state ${condition.state}`;
  return condition.kind === 'tag' ? `tag ${condition.tag}` : 'done';
}

function notFound(key: ConvoyKey): ConvoyError {
  return new ConvoyError('convoy_not_found', `Convoy ${key.type}/${key.id} has never received an event`, {
    ...key,
  });
}

/** Register the per-convoy routes on an (encapsulated) instance. */
export function registerConvoyRoutes(instance: FastifyInstance, settings: ConvoyRouteSettings): void {
  const { gateway, bodyLimit, maxWaitMs, defaultWaitMs } = settings;
  const read = guardOptions(settings.auth, 'read');
  const write = guardOptions(settings.auth, 'write');

  const eventsOptions = { schema: routeSchemas['POST /convoys/:type/:id/events'], bodyLimit, ...write };
  instance.post('/convoys/:type/:id/events', eventsOptions, async (request, reply) => {
    const key = readConvoyKey(request.params);
    assertQueryNames(request.query, ['wait']);
    const wait = readIntegerQuery(request.query, 'wait', { min: 0, max: maxWaitMs });
    const idempotencyKey = readIdempotencyKey(request);
    const event = readEventBody(request.body);
    const acceptRequest =
      idempotencyKey === undefined ? { ...key, event } : { ...key, event, idempotencyKey };
    // The engine's accept span joins the caller's trace (traceparent header), see tracing.ts.
    const receipt = await context.with(callerContext(request.headers), () => gateway.accept(acceptRequest));
    // Only the documented fields: the receipt type may grow without the public contract growing.
    const accepted = { type: receipt.type, id: receipt.id, seq: receipt.seq, duplicate: receipt.duplicate };
    if (wait === undefined) return reply.code(202).send(accepted);
    let processed = false;
    try {
      processed = await gateway.waitForSeq(key, receipt.seq, wait);
    } catch (error) {
      // The event is accepted whatever happens to the wait: failing now would invite a duplicate retry.
      request.log.error({ err: error, ...key, seq: receipt.seq }, 'waiting for an accepted event failed');
    }
    return reply.code(202).send({ ...accepted, processed });
  });

  instance.get(
    '/convoys/:type/:id/wait',
    { schema: routeSchemas['GET /convoys/:type/:id/wait'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, ['seq', 'timeout']);
      const seq = readIntegerQuery(request.query, 'seq', { min: 1, max: Number.MAX_SAFE_INTEGER });
      if (seq === undefined) throw new ConvoyError('invalid_request', 'Query parameter "seq" is required');
      const timeout = readIntegerQuery(request.query, 'timeout', { min: 0, max: maxWaitMs }) ?? defaultWaitMs;
      // Reading the view first answers unknown types/convoys with 404 and already-processed seqs at once.
      const view = await gateway.getConvoy(key);
      if (view === null) throw notFound(key);
      const processed = view.seq >= seq || (await gateway.waitForSeq(key, seq, timeout));
      if (!processed) {
        throw new ConvoyError(
          'wait_timeout',
          `Convoy ${key.type}/${key.id} did not process seq ${seq} within ${timeout} ms`,
          { ...key, seq, timeout },
        );
      }
      return { type: key.type, id: key.id, seq, processed: true };
    },
  );

  const waitForOptions = { schema: routeSchemas['GET /convoys/:type/:id/wait-for'], ...read };
  instance.get('/convoys/:type/:id/wait-for', waitForOptions, async (request) => {
    const key = readConvoyKey(request.params);
    assertQueryNames(request.query, ['state', 'tag', 'done', 'timeout']);
    const condition = readWaitCondition(request.query);
    const timeout = readIntegerQuery(request.query, 'timeout', { min: 0, max: maxWaitMs }) ?? defaultWaitMs;
    const result = await gateway.waitFor(key, condition, timeout);
    if (result.view === null) throw notFound(key);
    const details = { ...key, condition: describeCondition(condition), timeout };
    if (result.outcome === 'timeout') {
      throw new ConvoyError(
        'wait_timeout',
        `Convoy ${key.type}/${key.id} did not reach ${describeCondition(condition)} within ${timeout} ms`,
        details,
      );
    }
    if (result.outcome === 'unreachable') {
      throw new ConvoyError(
        'condition_unreachable',
        `Convoy ${key.type}/${key.id} is done without reaching ${describeCondition(condition)}`,
        { ...details, value: result.view.value },
      );
    }
    return result.view;
  });

  instance.get(
    '/convoys/:type/:id',
    { schema: routeSchemas['GET /convoys/:type/:id'], ...read },
    async (request) => {
      const key = readConvoyKey(request.params);
      assertQueryNames(request.query, []);
      const view = await gateway.getConvoy(key);
      if (view === null) throw notFound(key);
      return view;
    },
  );

  const historyOptions = { schema: routeSchemas['GET /convoys/:type/:id/history'], ...read };
  instance.get('/convoys/:type/:id/history', historyOptions, async (request, reply) => {
    const key = readConvoyKey(request.params);
    assertQueryNames(request.query, ['download']);
    const download = (request.query as Record<string, unknown>)['download'];
    if (download !== undefined && download !== '1') {
      throw new ConvoyError('invalid_request', 'Query parameter "download" must be 1');
    }
    const history = await gateway.getHistory(key);
    if (history === null) throw notFound(key);
    if (download === '1') {
      // The id pattern keeps the file name safe to quote as is.
      void reply.header('content-disposition', `attachment; filename="${key.type}-${key.id}-history.json"`);
    }
    return { items: history.map(toHistoryItem) };
  });
}
