/**
 * The routes describing registered convoy types.
 */
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import { guardOptions, type AuthHooks } from './auth.ts';
import { routeSchemas } from './openapi.ts';
import { assertQueryNames, readConvoyType } from './request-parsing.ts';

/** Register `GET /convoy-types` and `GET /convoy-types/:type`. */
export function registerTypeRoutes(instance: FastifyInstance, gateway: ConvoyGateway, auth: AuthHooks): void {
  const read = guardOptions(auth, 'read');
  instance.get('/convoy-types', { schema: routeSchemas['GET /convoy-types'], ...read }, async (request) => {
    assertQueryNames(request.query, []);
    return { items: gateway.listTypes() };
  });

  instance.get(
    '/convoy-types/:type',
    { schema: routeSchemas['GET /convoy-types/:type'], ...read },
    async (request) => {
      const type = readConvoyType(request.params);
      assertQueryNames(request.query, []);
      return gateway.describeType(type);
    },
  );
}
