/**
 * 405 answers for the API's paths called with a method they do not serve, so a wrong method is told
 * apart from a wrong URL. HEAD follows GET; OPTIONS is left alone so CORS plugins keep working.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyInstance, HTTPMethods } from 'fastify';

/** Every path of the API and the methods it serves. */
export const servedMethods: Readonly<Record<string, readonly HTTPMethods[]>> = {
  '/convoys/:type/:id/events': ['POST'],
  '/convoys/:type/:id/wait': ['GET'],
  '/convoys/:type/:id/history': ['GET'],
  '/convoys/:type/:id': ['GET'],
  '/convoys/:type': ['GET'],
  '/convoys/:type/:id/dead-letters': ['GET'],
  '/convoys/:type/:id/dead-letters/redrive': ['POST'],
  '/convoys/:type/:id/dead-letters/:seq': ['DELETE'],
  '/convoys/:type/:id/pause': ['POST'],
  '/convoys/:type/:id/resume': ['POST'],
  '/convoys/:type/:id/retry': ['POST'],
  '/convoys/:type/:id/inbox': ['GET'],
  '/convoys/:type/:id/deferred': ['GET'],
  '/convoys/:type/:id/timers': ['GET'],
  '/dead-letters/:type': ['GET'],
  '/convoy-types': ['GET'],
  '/convoy-types/:type': ['GET'],
  '/healthz': ['GET'],
  '/readyz': ['GET'],
  '/openapi.json': ['GET'],
};

const guardedMethods: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Register a 405 route for every method a path does not serve. */
export function registerMethodGuards(instance: FastifyInstance, except: readonly string[] = []): void {
  for (const [url, served] of Object.entries(servedMethods)) {
    if (except.includes(url)) continue;
    const allow = served.includes('GET') ? [...served, 'HEAD'].join(', ') : served.join(', ');
    instance.route({
      method: guardedMethods.filter((method) => !served.includes(method)),
      url,
      // Not part of the API's description: these routes only answer 405.
      schema: { hide: true },
      // onRequest runs before body parsing, so a wrong method wins over a wrong body.
      onRequest: async (request) => {
        throw new ConvoyError('method_not_allowed', `${request.method} is not allowed here; use ${allow}`, {
          allow,
        });
      },
      handler: async () => {
        throw new ConvoyError('internal_error', 'unreachable: the onRequest hook answers');
      },
    });
  }
}
