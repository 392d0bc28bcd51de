/**
 * `convoyPlugin`: the Convoy HTTP API as a Fastify 5 plugin over a `ConvoyGateway`.
 */
import type { ConvoyGateway, JsonValue } from '@convoy/core';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { authHooks, type ConvoyAuthOptions } from './auth.ts';
import { apiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { registerConvoyRoutes } from './convoy-routes.ts';
import { registerFleetRoutes } from './fleet-routes.ts';
import { registerHealthRoutes } from './health-routes.ts';
import type { ConvoyMetrics } from './metrics.ts';
import { registerOperatorRoutes } from './operator-routes.ts';
import { registerStreamRoutes } from './stream-routes.ts';
import { sendError } from './error-reply.ts';
import { registerMethodGuards } from './method-not-allowed.ts';
import { defaultMaxBodyDepth, jsonBodyParser } from './json-body.ts';
import { registerTypeRoutes } from './type-routes.ts';

/** Options of {@link convoyPlugin}. */
export interface ConvoyPluginOptions {
  /** What the routes call: the runtime's engine, or any other implementation of the port. */
  readonly gateway: ConvoyGateway;
  /**
   * Path prefix of every route, e.g. `/api`.
   * @defaultValue `''` (routes at `/convoys/...` and `/convoy-types`)
   */
  readonly prefix?: string;
  /**
   * Largest accepted event body in bytes; larger bodies get 413 `payload_too_large`.
   * @defaultValue 65536 (64 KiB)
   */
  readonly bodyLimit?: number;
  /**
   * Deepest nesting of arrays and objects accepted in a JSON body, counted on the raw text before it is
   * parsed; deeper bodies get 400 `payload_too_deep` and nothing is stored.
   * @defaultValue 64
   */
  readonly maxDepth?: number;
  /**
   * Largest `?wait=` / `timeout=` a client may ask for, in milliseconds.
   * @defaultValue 30000
   */
  readonly maxWaitMs?: number;
  /**
   * Access control per route group (`read`, `write`, `operate`): bearer tokens or your own hook.
   * Refusals are `401 unauthorized` / `403 forbidden`. `/healthz`, `/readyz` and `/openapi.json` stay open.
   * @defaultValue every group open
   */
  readonly auth?: ConvoyAuthOptions;
  /** Serve `GET /metrics` from these metrics (see `createConvoyMetrics`); in the `read` group. */
  readonly metrics?: ConvoyMetrics;
  /**
   * Serve the OpenAPI document at `/openapi.json` (via `@fastify/swagger`, in the plugin's own scope).
   * @defaultValue true
   */
  readonly openapi?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway served by `convoyPlugin` (for a host app's own routes, e.g. health checks). */
    convoyGateway: ConvoyGateway;
  }
}

/** Ids may be 128 characters; Fastify sends longer path params to its 404/414 path, never to our 400. */
const longestParam = 128;

function integerOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`convoyPlugin: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** `components.schemas` entries `<type>.<EventType>` from the types' event payload schemas. */
function eventBodySchemas(gateway: ConvoyGateway): Record<string, JsonValue> {
  const schemas: Record<string, JsonValue> = {};
  for (const { type } of gateway.listTypes()) {
    let described: Readonly<Record<string, JsonValue>>;
    try {
      described = gateway.describeType(type).eventSchemas ?? {};
    } catch {
      // Documentation only: a gateway that cannot describe a type must not stop the API from starting.
      continue;
    }
    for (const [eventType, schema] of Object.entries(described)) schemas[`${type}.${eventType}`] = schema;
  }
  return schemas;
}

const convoyPluginImpl: FastifyPluginAsync<ConvoyPluginOptions> = async (fastify, options) => {
  const { gateway } = options;
  if (typeof gateway !== 'object' || gateway === null)
    throw new TypeError('convoyPlugin: `gateway` is required');
  const bodyLimit = integerOption('bodyLimit', options.bodyLimit, 64 * 1024, 1);
  const maxWaitMs = integerOption('maxWaitMs', options.maxWaitMs, 30_000, 0);
  const maxDepth = integerOption('maxDepth', options.maxDepth, defaultMaxBodyDepth, 1);
  const defaultWaitMs = Math.min(5_000, maxWaitMs);
  const config = fastify.initialConfig;
  const maxParamLength = config.routerOptions?.maxParamLength ?? config.maxParamLength ?? 100;
  if (maxParamLength < longestParam) {
    fastify.log.warn(
      `convoyPlugin: maxParamLength is ${maxParamLength}; convoy ids longer than that are refused by Fastify ` +
        `before Convoy sees them. Set routerOptions.maxParamLength >= ${longestParam} (buildConvoyApp does).`,
    );
  }

  fastify.decorate('convoyGateway', gateway);

  // The routes live in their own encapsulated scope, so their parsers and error handler never leak into
  // the host app (fastify-plugin only shares the decoration).
  await fastify.register(
    async (scope: FastifyInstance) => {
      // Only JSON: without the default text/plain parser, any other media type is a 415.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'buffer', bodyLimit },
        jsonBodyParser(scope, maxDepth),
      );
      scope.setErrorHandler((error, request, reply) => sendError(error, request, reply));
      // The route table's zod schemas validate each request (contract/parse-request.ts, so every refusal
      // keeps its stable code) and generate the OpenAPI document; Fastify's own compilers stay out of it,
      // and replies are sent as built (no field stripped by a serialiser).
      scope.setValidatorCompiler(() => () => true);
      scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
      if (!scope.hasRequestDecorator('convoyPrincipal')) scope.decorateRequest('convoyPrincipal', undefined);
      const routes = apiRoutes(maxWaitMs);
      const auth = authHooks(options.auth);
      const openapi = options.openapi ?? true;
      if (openapi) {
        await scope.register(swagger, {
          openapi: {
            info: { title: 'Convoy API', version: '1', description: 'Sequential convoys on XState v5' },
            components: {
              securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
              // Bodies of events whose definition supplies a self-describing schema (e.g. zod 4).
              // (JSON Schema produced by the user's schema library: swagger's SchemaObject type cannot be
              // proven from a JsonValue, hence the cast.)
              schemas: eventBodySchemas(gateway) as Record<string, never>,
            },
          },
        });
        serve(scope, auth, routes['GET /openapi.json'], async () => scope.swagger());
      }
      registerConvoyRoutes(scope, { gateway, routes, bodyLimit, defaultWaitMs, auth });
      registerTypeRoutes(scope, gateway, auth, routes);
      registerOperatorRoutes(scope, gateway, auth, routes);
      registerFleetRoutes(scope, gateway, auth, routes, options.metrics);
      registerStreamRoutes(scope, gateway, auth, routes, { pollMs: 500, heartbeatMs: 15_000 });
      registerHealthRoutes(scope, gateway, auth, routes, options.metrics);
      const unserved = [...(openapi ? [] : ['/openapi.json']), ...(options.metrics ? [] : ['/metrics'])];
      registerMethodGuards(scope, routes, unserved);
    },
    { prefix: options.prefix ?? '' },
  );
};

/**
 * The Convoy HTTP API as a Fastify 5 plugin. It talks only to the `ConvoyGateway` port, so any engine
 * (embedded memory store, Redis) can sit behind it. Errors are always `{ statusCode, code, message }`.
 *
 * @example
 * ```ts
 * const app = Fastify({ routerOptions: { maxParamLength: 1024 } });
 * await app.register(convoyPlugin, { gateway: engine, prefix: '/api' });
 * ```
 */
export const convoyPlugin = fp(convoyPluginImpl, { fastify: '5.x', name: '@convoy/http' });
