/**
 * `buildConvoyApp`: a Fastify instance serving only the Convoy API, configured so that every answer,
 * including the framework's own (404, malformed URLs, over-long path segments), uses the API's error body.
 */
import { ConvoyError } from '@convoy/core';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sendError } from './error-reply.ts';
import { hostGuard } from './host-allow-list.ts';
import { convoyPlugin, resolveAllowedHosts } from './plugin.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { quote } from './contract/fields.ts';
import type { ConvoyPluginOptions } from './plugin.ts';

/** Options of {@link buildConvoyApp}: the plugin's options plus a logger. */
export interface ConvoyAppOptions extends ConvoyPluginOptions {
  /**
   * Fastify's logger option (pino options or a boolean).
   * @defaultValue false
   */
  readonly logger?: FastifyServerOptions['logger'];
}

/**
 * Longer than any id (128) so over-long ids reach the route and get a 400 `invalid_convoy_id`; still
 * bounded so the router does not scan arbitrarily long segments.
 */
const maxParamLength = 1024;

/** Request headers never written to logs (a serializer that logs headers shows `[redacted]`). */
export const redactedLogPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
];

/** The logger option with {@link redactedLogPaths} added to any redaction the caller asked for. */
function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return logger;
  const options = logger === true ? {} : logger;
  const { redact } = options;
  const own = redact === undefined ? [] : Array.isArray(redact) ? redact : redact.paths;
  const censor = redact !== undefined && !Array.isArray(redact) ? redact.censor : undefined;
  return {
    ...options,
    redact: { paths: [...own, ...redactedLogPaths], censor: censor ?? '[redacted]' },
  };
}

/**
 * Build a Fastify app serving the Convoy API (not listening; call `listen` or `inject`).
 *
 * @example
 * ```ts
 * const app = buildConvoyApp({ gateway: engine });
 * await app.listen({ port: 3000 });
 * ```
 */
export function buildConvoyApp(options: ConvoyAppOptions): FastifyInstance {
  const { logger = false, ...pluginOptions } = options;
  const app = Fastify({
    logger: withRedaction(logger),
    routerOptions: { maxParamLength },
    // Errors raised before routing (bad percent-encoding, segment longer than maxParamLength).
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply);
    },
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(
      new ConvoyError(
        'route_not_found',
        `No route ${request.method} ${quote(request.url.split('?')[0] ?? '')}`,
      ),
      request,
      reply,
    );
  });
  // Errors on the 404 path (e.g. a bad JSON body sent to an unknown URL) still get the API's body.
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  // App-wide, so 404s and pages registered beside the API (the console) get them too.
  app.addHook('onRequest', async (_request, reply) => setSecurityHeaders(reply));
  const checkHost = hostGuard(resolveAllowedHosts(pluginOptions));
  if (checkHost !== undefined) app.addHook('onRequest', checkHost);
  void app.register(convoyPlugin, pluginOptions);
  return app;
}
