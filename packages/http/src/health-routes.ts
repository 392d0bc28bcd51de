/**
 * Health (`/healthz`: the process serves requests), readiness (`/readyz`: the store answers a ping),
 * the OpenAPI document and, when metrics are configured, the Prometheus endpoint.
 */
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import { guardOptions, type AuthHooks } from './auth.ts';
import type { ConvoyMetrics } from './metrics.ts';
import { routeSchemas } from './openapi.ts';
import { assertQueryNames } from './request-parsing.ts';

/** Register the health, readiness and metrics routes. */
export function registerHealthRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  metrics: ConvoyMetrics | undefined,
): void {
  instance.get('/healthz', { schema: routeSchemas['GET /healthz'] }, async () => ({ status: 'ok' }));

  // A failing ping throws `store_unavailable`, which the error table answers with 503.
  instance.get('/readyz', { schema: routeSchemas['GET /readyz'] }, async (request) => {
    assertQueryNames(request.query, []);
    await gateway.ping();
    return { status: 'ready' };
  });

  if (metrics) {
    metrics.observe(gateway);
    instance.get(
      '/metrics',
      { schema: routeSchemas['GET /metrics'], ...guardOptions(auth, 'read') },
      async (_request, reply) => {
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    );
  }
}
