/**
 * HTTP request metrics: every answer of the plugin's routes counted by method, route pattern and status,
 * with its latency. The label is the route as registered (`/convoys/:type/:id`), never the URL, so ids
 * never become labels.
 */
import type { FastifyInstance } from 'fastify';
import type { ConvoyMetrics } from './metrics.ts';

/** Add the `onResponse` hook that reports each answered request to `metrics` (routes registered after it). */
export function registerRequestMetrics(scope: FastifyInstance, metrics: ConvoyMetrics): void {
  scope.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
