/**
 * `consolePlugin`: the Convoy web console as a Fastify 5 plugin over a `ConvoyGateway`.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyGateway } from '@convoy/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { consoleAssets, contentSecurityPolicy, pageHtml } from './assets.ts';
import { readConvoyState } from './convoy-state.ts';
import { streamConvoy } from './convoy-stream.ts';
import { DiagramCache } from './diagram.ts';
import { sendConsoleError } from './error-reply.ts';
import { registerOperatorRoutes } from './operator-routes.ts';
import type { ConsoleAuth } from './operator-routes.ts';

/** Options of {@link consolePlugin}. */
export interface ConsolePluginOptions {
  /** What the console reads: the runtime's engine, or any other implementation of the port. */
  readonly gateway: ConvoyGateway;
  /**
   * Where the console is mounted.
   * @defaultValue `'/console'`
   */
  readonly prefix?: string;
  /**
   * How often an open live stream re-reads its convoy. Polling carries commits made by other processes
   * (workers, other nodes on Redis); the gateway's `subscribe`, when it has one, only adds immediacy for
   * commits made in this process.
   * @defaultValue 300
   */
  readonly pollMs?: number;
  /**
   * When `'poll'`, streams only poll, even if the gateway offers `subscribe` (a node that does not process
   * convoys itself hears no commits worth listening to).
   * @defaultValue `'auto'` (poll, and listen to this process's commits when the gateway can)
   */
  readonly live?: 'auto' | 'poll';
  /**
   * Interval of the keep-alive comments on live streams.
   * @defaultValue 15000
   */
  readonly heartbeatMs?: number;
  /**
   * The page title.
   * @defaultValue `'Convoy console'`
   */
  readonly title?: string;
  /**
   * Guards (Fastify `preHandler` hooks) of the console's own routes: `read` for every `GET` (page, assets,
   * JSON, stream), `operate` for the operator actions. The console calls the gateway directly, so the HTTP
   * API's auth does not cover it: a host that protects the API must protect the console here too.
   * @defaultValue none (open)
   */
  readonly auth?: ConsoleAuth;
}

interface TypeParams {
  readonly type: string;
}
interface ConvoyParams extends TypeParams {
  readonly id: string;
}

function normalizePrefix(prefix: string | undefined): string {
  const value = prefix ?? '/console';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    throw new TypeError(
      `consolePlugin: prefix must look like "/console" (no trailing slash), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`consolePlugin: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

const consolePluginImpl: FastifyPluginAsync<ConsolePluginOptions> = async (fastify, options) => {
  if (typeof options.gateway !== 'object' || options.gateway === null) {
    throw new TypeError('consolePlugin: `gateway` is required');
  }
  const { gateway } = options;
  // Bound here so the gateway may be a class instance; absent (poll) when asked to or not offered.
  const subscribe = options.live === 'poll' ? undefined : gateway.subscribe?.bind(gateway);
  const prefix = normalizePrefix(options.prefix);
  const timing = {
    subscribe,
    pollMs: positiveInteger('pollMs', options.pollMs, 300),
    heartbeatMs: positiveInteger('heartbeatMs', options.heartbeatMs, 15_000),
  };
  const html = pageHtml(prefix, options.title ?? 'Convoy console');
  const diagrams = new DiagramCache(gateway);
  const streams = new Set<() => void>();

  // Open streams never end on their own: end them so `fastify.close()` does not wait for the clients.
  fastify.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.setErrorHandler((error, request, reply) => sendConsoleError(error, request, reply));
      const read = options.auth?.read;
      if (read !== undefined) {
        scope.addHook('preHandler', async (request, reply) => {
          if (request.method === 'GET' || request.method === 'HEAD') await read.call(scope, request, reply);
        });
      }
      scope.setNotFoundHandler((request, reply) => {
        const path = (request.url.split('?')[0] ?? '').slice(0, 200);
        sendConsoleError(
          new ConvoyError('route_not_found', `No console route ${request.method} ${path}`),
          request,
          reply,
        );
      });

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

      scope.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
        const asset = consoleAssets.get(request.params.name);
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

      scope.get('/api/types', async () => gateway.listTypes());
      scope.get<{ Params: TypeParams }>('/api/types/:type', async (request) =>
        gateway.describeType(request.params.type),
      );
      scope.get<{ Params: TypeParams }>('/api/types/:type/diagram.svg', async (request, reply) => {
        const svg = await diagrams.svg(request.params.type);
        void reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-cache');
        return svg;
      });
      scope.get<{ Params: TypeParams }>('/api/types/:type/diagram.dot', async (request, reply) => {
        void reply.type('text/vnd.graphviz; charset=utf-8');
        return diagrams.dot(request.params.type);
      });

      scope.get<{ Params: ConvoyParams }>('/api/convoys/:type/:id', async (request) => {
        const { type, id } = request.params;
        const state = await readConvoyState(gateway, { type, id }, gateway.describeType(type).graph);
        if (state === null) throw new ConvoyError('convoy_not_found', `Convoy ${type}/${id} not found`);
        return state;
      });

      scope.get<{ Params: ConvoyParams }>('/api/convoys/:type/:id/events', async (request, reply) => {
        const key = { type: request.params.type, id: request.params.id };
        // Checked before the stream opens so a bad type or id gets the usual error body and status.
        const { graph } = gateway.describeType(key.type);
        await gateway.getConvoy(key);
        const end = streamConvoy(gateway, key, graph, request, reply, timing, () => streams.delete(end));
        streams.add(end);
      });

      registerOperatorRoutes(scope, gateway, options.auth?.operate);
    },
    { prefix },
  );
};

/**
 * The Convoy web console as a Fastify 5 plugin: convoy types with their diagrams, and a live page per
 * convoy (its diagram with the current states highlighted, its context and its timeline). Every asset is
 * served by the plugin itself; the page makes no request to any other origin.
 *
 * Routes (under `prefix`, default `/console`): `/`, `/types/:type`, `/convoys/:type/:id` (the page);
 * `/api/types`, `/api/types/:type`, `/api/types/:type/diagram.svg|.dot`, `/api/convoys/:type/:id` (JSON);
 * `/api/convoys/:type/:id/events` (Server-Sent Events; the gateway's `subscribe` when present, otherwise
 * polling every `pollMs`, which also works when other processes process the convoys).
 *
 * @example
 * ```ts
 * const app = buildConvoyApp({ gateway: engine });
 * await app.register(consolePlugin, { gateway: engine });
 * await app.listen({ port: 3000 }); // open http://localhost:3000/console
 * ```
 */
export const consolePlugin = fp(consolePluginImpl, { fastify: '5.x', name: '@convoy/console' });
