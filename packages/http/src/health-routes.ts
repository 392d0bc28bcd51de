/**
 * Health (`/healthz`: the process serves requests), readiness (`/readyz`: the store answers a ping),
 * the OpenAPI document and, when metrics are configured, the Prometheus endpoint.
 */
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import type { ConvoyMetrics } from './metrics.ts';

/** Register the health, readiness and metrics routes. */
export function registerHealthRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
  metrics: ConvoyMetrics | undefined,
): void {
  serve(instance, auth, routes['GET /healthz'], async () => ({ status: 'ok' }));

  // A failing ping throws `store_unavailable`, which the error table answers with 503.
  serve(instance, auth, routes['GET /readyz'], async () => {
    await gateway.ping();
    return { status: 'ready' };
  });

  if (metrics) {
    metrics.observe(gateway);
    serve(instance, auth, routes['GET /metrics'], async (_input, _request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  }
}
