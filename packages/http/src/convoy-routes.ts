/**
 * The routes of one convoy: accept an event, wait for processing, read the view and the history.
 */
import { ConvoyError, toHistoryItem } from '@convoy/core';
import type { AcceptedItem, ConvoyGateway, EventOutcomeReport, WaitCondition, WaitItem } from '@convoy/core';
import { context } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { notFound } from './not-found.ts';
import { callerContext } from './tracing.ts';

/** What the routes need from the plugin's options, with defaults applied. */
export interface ConvoyRouteSettings {
  readonly gateway: ConvoyGateway;
  readonly routes: ApiRoutes;
  readonly bodyLimit: number;
  /** Timeout of `GET .../wait` when the client gives none. */
  readonly defaultWaitMs: number;
  /** Access control per route group. */
  readonly auth: AuthHooks;
}

function describeCondition(condition: WaitCondition): string {
  if (condition.kind === 'state') return `state ${condition.state}`;
  return condition.kind === 'tag' ? `tag ${condition.tag}` : 'done';
}

/** `wait-for`'s condition: exactly one of `state=<dot.path>`, `tag=<tag>`, `done=true`. */
function waitCondition(query: { state?: string; tag?: string; done?: string }): WaitCondition {
  const given = (['state', 'tag', 'done'] as const).filter((name) => query[name] !== undefined);
  if (given.length !== 1) {
    throw new ConvoyError('invalid_request', 'Give exactly one of the query parameters state, tag, done');
  }
  if (query.state !== undefined) return { kind: 'state', state: query.state };
  if (query.tag !== undefined) return { kind: 'tag', tag: query.tag };
  if (query.done !== 'true') throw new ConvoyError('invalid_request', 'Query parameter "done" must be true');
  return { kind: 'done' };
}

/** Register the per-convoy routes on an (encapsulated) instance. */
export function registerConvoyRoutes(instance: FastifyInstance, settings: ConvoyRouteSettings): void {
  const { gateway, routes, auth, bodyLimit, defaultWaitMs } = settings;

  serve(
    instance,
    auth,
    routes['POST /convoys/:type/:id/events'],
    async ({ params: key, query, headers, body: event }, request, reply) => {
      if (query.final !== undefined && query.wait === undefined) {
        throw new ConvoyError(
          'invalid_request',
          'Query parameter "final" needs "wait" (e.g. ?wait=5000&final=1)',
        );
      }
      const idempotencyKey = headers['idempotency-key'];
      const acceptRequest =
        idempotencyKey === undefined ? { ...key, event } : { ...key, event, idempotencyKey };
      // The engine's accept span joins the caller's trace (traceparent header), see tracing.ts.
      const receipt = await context.with(callerContext(request.headers), () => gateway.accept(acceptRequest));
      // Only the documented fields: the receipt type may grow without the public contract growing.
      const accepted: AcceptedItem = {
        type: receipt.type,
        id: receipt.id,
        seq: receipt.seq,
        duplicate: receipt.duplicate,
      };
      if (query.wait === undefined) return reply.code(202).send(accepted);
      let report: EventOutcomeReport | null = null;
      try {
        const options = { timeoutMs: query.wait, final: query.final === '1' };
        report = await gateway.waitForOutcome(key, receipt.seq, options);
      } catch (error) {
        // The event is accepted whatever happens to the wait: failing now would invite a duplicate retry.
        request.log.error({ err: error, ...key, seq: receipt.seq }, 'waiting for an accepted event failed');
      }
      const answer: AcceptedItem =
        report === null ? { ...accepted, processed: false } : { ...accepted, processed: true, ...report };
      return reply.code(202).send(answer);
    },
    { bodyLimit },
  );

  serve(instance, auth, routes['GET /convoys/:type/:id/wait'], async ({ params: key, query }) => {
    const { seq } = query;
    const timeout = query.timeout ?? defaultWaitMs;
    // Reading the view first answers unknown types/convoys with 404.
    const view = await gateway.getConvoy(key);
    if (view === null) throw notFound(key);
    const report = await gateway.waitForOutcome(key, seq, { timeoutMs: timeout, final: query.final === '1' });
    if (report === null) {
      throw new ConvoyError(
        'wait_timeout',
        `Convoy ${key.type}/${key.id} did not process seq ${seq} within ${timeout} ms`,
        { ...key, seq, timeout },
      );
    }
    return { type: key.type, id: key.id, seq, processed: true, ...report } satisfies WaitItem;
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/wait-for'], async ({ params: key, query }) => {
    const condition = waitCondition(query);
    const timeout = query.timeout ?? defaultWaitMs;
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

  serve(instance, auth, routes['GET /convoys/:type/:id'], async ({ params: key }) => {
    const view = await gateway.getConvoy(key);
    if (view === null) throw notFound(key);
    return view;
  });

  serve(
    instance,
    auth,
    routes['GET /convoys/:type/:id/history'],
    async ({ params: key, query }, _request, reply) => {
      const history = await gateway.getHistory(key);
      if (history === null) throw notFound(key);
      if (query.download === '1') {
        // The id pattern keeps the file name safe to quote as is.
        void reply.header('content-disposition', `attachment; filename="${key.type}-${key.id}-history.json"`);
      }
      return { items: history.map(toHistoryItem) };
    },
  );
}
