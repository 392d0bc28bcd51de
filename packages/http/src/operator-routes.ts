/**
 * The operator routes: list convoys and dead letters, redrive / discard dead letters, pause / resume /
 * retry a convoy, and read its pending inbox, deferred events and armed timers.
 */
import { toDeadLetterItem, toDeferredItem, toInboxItem, toTimerItem } from '@convoy/core';
import type { ConvoyGateway, ItemList, ItemPage, DeadLetterItem, StatusAction } from '@convoy/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { notFound } from './not-found.ts';

/** The operator's name for the history: the authenticated principal, when there is one. */
function by(request: FastifyRequest): { by?: string } {
  return request.convoyPrincipal === undefined ? {} : { by: request.convoyPrincipal };
}

/** Register the operator routes on an (encapsulated) instance. */
export function registerOperatorRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
): void {
  serve(instance, auth, routes['GET /convoys/:type'], async ({ params, query }) => {
    const { status, state, updatedAfter, attention, cursor, limit } = query;
    return gateway.listConvoys({
      type: params.type,
      ...(attention === '1' ? { attention: true } : {}),
      ...(status === undefined ? {} : { status }),
      ...(state === undefined ? {} : { state }),
      ...(updatedAfter === undefined ? {} : { updatedAfter }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    });
  });

  serve(instance, auth, routes['GET /dead-letters/:type'], async ({ params, query }) => {
    const { cursor, limit } = query;
    const page = await gateway.listDeadLetters({
      type: params.type,
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    });
    return {
      items: page.items.map(toDeadLetterItem),
      cursor: page.cursor,
    } satisfies ItemPage<DeadLetterItem>;
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/dead-letters'], async ({ params: key }) => {
    if ((await gateway.getConvoy(key)) === null) throw notFound(key);
    return {
      items: (await gateway.getDeadLetters(key)).map(toDeadLetterItem),
    } satisfies ItemList<DeadLetterItem>;
  });

  serve(
    instance,
    auth,
    routes['POST /convoys/:type/:id/dead-letters/redrive'],
    async ({ params: key, body }, request) => {
      const seq = body?.seq;
      return gateway.redriveDeadLetters(key, { ...by(request), ...(seq === undefined ? {} : { seq }) });
    },
  );

  serve(
    instance,
    auth,
    routes['DELETE /convoys/:type/:id/dead-letters/:seq'],
    async ({ params }, request, reply) => {
      const { seq, ...key } = params;
      await gateway.discardDeadLetter(key, seq, by(request));
      return reply.code(204).send();
    },
  );

  const actions: Record<StatusAction, 'pauseConvoy' | 'resumeConvoy' | 'retryConvoy'> = {
    pause: 'pauseConvoy',
    resume: 'resumeConvoy',
    retry: 'retryConvoy',
  };
  for (const [action, method] of Object.entries(actions)) {
    const spec = routes[`POST /convoys/:type/:id/${action as StatusAction}`];
    serve(instance, auth, spec, async ({ params: key }, request) => gateway[method](key, by(request)));
  }

  serve(instance, auth, routes['GET /convoys/:type/:id/inbox'], async ({ params: key, query }) => {
    const inbox = await gateway.getInbox(key, query.limit);
    if (inbox === null) throw notFound(key);
    return { items: inbox.map(toInboxItem) };
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/deferred'], async ({ params: key }) => {
    const deferred = await gateway.getDeferred(key);
    if (deferred === null) throw notFound(key);
    return { items: deferred.map(toDeferredItem) };
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/timers'], async ({ params: key }) => {
    const timers = await gateway.getTimers(key);
    if (timers === null) throw notFound(key);
    return { items: timers.map(toTimerItem) };
  });
}
