/**
 * Register a route from its spec: the documented schema, the auth group's hooks, and a handler that
 * receives the request already validated against the spec.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { guardOptions, type AuthHooks } from '../auth.ts';
import { safeMethods } from '../cross-site.ts';
import { toFastifySchema } from './openapi.ts';
import { parseRequest } from './parse-request.ts';
import type { AnyRouteSpec, ParsedRequest } from './route-spec.ts';

/** A route handler given the validated request parts. */
export type SpecHandler<TSpec extends AnyRouteSpec> = (
  input: ParsedRequest<TSpec>,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<unknown>;

/** Register `spec` on `instance` (an encapsulated scope of the plugin). */
export function serve<TSpec extends AnyRouteSpec>(
  instance: FastifyInstance,
  auth: AuthHooks,
  spec: TSpec,
  handler: SpecHandler<TSpec>,
  overrides: { readonly bodyLimit?: number } = {},
): void {
  const bodyLimit = overrides.bodyLimit ?? spec.bodyLimit;
  instance.route({
    method: spec.method,
    url: spec.url,
    schema: toFastifySchema(spec),
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
    ...guardOptions(auth, spec.group, !safeMethods.has(spec.method)),
    handler: async (request, reply) => handler(parseRequest(spec, request), request, reply),
  });
}
