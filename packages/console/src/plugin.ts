/**
 * `consolePlugin`: the Convoy web console, a page over the public Convoy HTTP API, as a Fastify 5 plugin.
 */
import { ConvoyError } from '@convoy/core';
import { sendError } from '@convoy/http';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { consoleAssets, contentSecurityPolicy, pageHtml } from './assets.ts';

/** Options of {@link consolePlugin}. */
export interface ConsolePluginOptions {
  /**
   * Where the console is mounted.
   * @defaultValue `'/console'`
   */
  readonly prefix?: string;
  /**
   * Where `@convoy/http`'s routes are mounted on the same origin (its `prefix`): the page reads and acts
   * only through them, under their auth.
   * @defaultValue `''` (the API at `/convoys/...`, as `buildConvoyApp` serves it)
   */
  readonly apiPrefix?: string;
  /**
   * The page title.
   * @defaultValue `'Convoy console'`
   */
  readonly title?: string;
}

/** A mount path: `''` or `/a/b` (no trailing slash). */
function mountPath(name: string, value: string, allowRoot: boolean): string {
  if ((allowRoot && value === '') || /^(\/[A-Za-z0-9._~-]+)+$/.test(value)) return value;
  throw new TypeError(
    `consolePlugin: ${name} must look like "/console" (no trailing slash), got ${JSON.stringify(value)}`,
  );
}

const consolePluginImpl: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, options) => {
  const prefix = mountPath('prefix', options.prefix ?? '/console', false);
  const apiPrefix = mountPath('apiPrefix', options.apiPrefix ?? '', true);
  const html = pageHtml(prefix, apiPrefix, options.title ?? 'Convoy console');

  await fastify.register(
    async (scope: FastifyInstance) => {
      // The API's one error reply, for the console's own few refusals (an unknown asset or path).
      scope.setErrorHandler((error, request, reply) => sendError(error, request, reply));
      scope.setNotFoundHandler((request, reply) => {
        const path = (request.url.split('?')[0] ?? '').slice(0, 200);
        sendError(
          new ConvoyError('route_not_found', `No console page ${request.method} ${path}`),
          request,
          reply,
        );
      });

      // The page and its assets hold no data: every convoy, type and action comes from the API, which
      // enforces its own auth on each call the page makes.
      const page = async (_request: unknown, reply: FastifyReply): Promise<string> => {
        void reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', contentSecurityPolicy)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'no-cache');
        return html;
      };
      // Every view is the same page; its script renders the view for the path.
      scope.get('/', page);
      scope.get('/types/:type', page);
      scope.get('/convoys/:type/:id', page);
      scope.get('/dead-letters/:type', page);

      scope.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
        const asset = consoleAssets().get(request.params.name);
        if (asset === undefined) {
          throw new ConvoyError(
            'route_not_found',
            `No console asset ${JSON.stringify(request.params.name.slice(0, 100))}`,
          );
        }
        void reply
          .type(asset.contentType)
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff');
        return asset.body;
      });
    },
    { prefix },
  );
};

/**
 * The Convoy web console as a Fastify 5 plugin: convoy types with their diagrams, each type's convoys,
 * and a live page per convoy (its diagram with the current states highlighted, its context, timeline,
 * dead letters, inbox, deferred events, timers and operator actions). The page is a client of the
 * public Convoy HTTP API (`@convoy/http`, mounted at `apiPrefix` on the same origin) and nothing else:
 * it is guarded by the API's auth, and it loads nothing from another origin.
 *
 * Routes (under `prefix`, default `/console`): `/` (the fleet), `/types/:type`, `/convoys/:type/:id`,
 * `/dead-letters/:type` (the page) and
 * `/assets/console.js|console.css|favicon.svg`.
 *
 * @example
 * ```ts
 * const app = buildConvoyApp({ gateway: engine }); // the API at /convoys/...
 * await app.register(consolePlugin); // the console at /console
 * await app.listen({ port: 3000 }); // open http://localhost:3000/console
 * ```
 */
export const consolePlugin = fp(consolePluginImpl, { fastify: '5.x', name: '@convoy/console' });
