/**
 * 405 answers for the API's paths called with a method they do not serve, so a wrong method is told
 * apart from a wrong URL. HEAD follows GET; OPTIONS is left alone so CORS plugins keep working.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { ApiRoutes } from './contract/routes.ts';

/** Every path of the route table and the methods it serves. */
export function servedMethods(routes: ApiRoutes): ReadonlyMap<string, readonly HTTPMethods[]> {
  const served = new Map<string, HTTPMethods[]>();
  for (const spec of Object.values(routes)) {
    const methods = served.get(spec.url) ?? [];
    methods.push(spec.method);
    served.set(spec.url, methods);
  }
  return served;
}

const guardedMethods: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Register a 405 route for every method a path does not serve. */
export function registerMethodGuards(
  instance: FastifyInstance,
  routes: ApiRoutes,
  except: readonly string[] = [],
): void {
  for (const [url, served] of servedMethods(routes)) {
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
