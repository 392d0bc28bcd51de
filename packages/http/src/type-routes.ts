/**
 * The routes describing registered convoy types: the list, one type's description, and its state
 * diagram as Graphviz DOT (core's `toDot`) or SVG (rendered here with Graphviz compiled to WebAssembly).
 */
import { toDot } from '@convoy/core';
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { DiagramCache } from './diagram-svg.ts';

/** Register `GET /convoy-types`, `GET /convoy-types/:type` and its `diagram.dot` / `diagram.svg`. */
export function registerTypeRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
): void {
  const diagrams = new DiagramCache(gateway);
  serve(instance, auth, routes['GET /convoy-types'], async () => ({ items: gateway.listTypes() }));

  serve(instance, auth, routes['GET /convoy-types/:type'], async ({ params }) =>
    gateway.describeType(params.type),
  );

  serve(
    instance,
    auth,
    routes['GET /convoy-types/:type/diagram.dot'],
    async ({ params }, _request, reply) => {
      const dot = toDot(gateway.describeType(params.type).graph);
      return reply.type('text/vnd.graphviz; charset=utf-8').send(dot);
    },
  );

  serve(
    instance,
    auth,
    routes['GET /convoy-types/:type/diagram.svg'],
    async ({ params }, _request, reply) => {
      const svg = await diagrams.svg(params.type);
      return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-cache').send(svg);
    },
  );
}
