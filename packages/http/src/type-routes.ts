/**
 * The routes describing registered convoy types.
 */
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import { assertQueryNames, readConvoyType } from './request-parsing.ts';

/** Register `GET /convoy-types` and `GET /convoy-types/:type`. */
export function registerTypeRoutes(instance: FastifyInstance, gateway: ConvoyGateway): void {
  instance.get('/convoy-types', async (request) => {
    assertQueryNames(request.query, []);
    return { items: gateway.listTypes() };
  });

  instance.get('/convoy-types/:type', async (request) => {
    const type = readConvoyType(request.params);
    assertQueryNames(request.query, []);
    return gateway.describeType(type);
  });
}
