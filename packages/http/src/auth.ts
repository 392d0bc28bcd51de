/**
 * Access control per route group: `read` (GET routes), `write` (posting events) and `operate` (operator
 * actions). Each group takes either a list of bearer tokens or a Fastify hook of the host's own.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConvoyError } from '@convoy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A bearer token, optionally named; the name is recorded as `by` in the history of operator actions. */
export type BearerToken = string | { readonly name: string; readonly token: string };

/**
 * How one route group is protected: bearer tokens (`Authorization: Bearer <token>`), or a hook of your
 * own run as the routes' preHandler (throw a `ConvoyError('unauthorized' | 'forbidden', …)` to refuse;
 * set `request.convoyPrincipal` to name the caller).
 */
export type RouteGuard =
  | { readonly tokens: readonly BearerToken[] }
  | ((request: FastifyRequest, reply: FastifyReply) => Promise<void>);

/** Route groups and their guards; a group without one is open. */
export interface ConvoyAuthOptions {
  /** GET routes (convoys, history, lists, dead letters, inbox, `/metrics`). */
  readonly read?: RouteGuard;
  /** `POST /convoys/:type/:id/events`. */
  readonly write?: RouteGuard;
  /** Operator actions: redrive, discard, pause, resume, retry. */
  readonly operate?: RouteGuard;
}

/** A route group. */
export type RouteGroup = keyof ConvoyAuthOptions;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, when an auth guard knows (recorded as `by` in operator history entries). */
    convoyPrincipal: string | undefined;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

interface KnownToken {
  readonly digest: Buffer;
  readonly name: string;
  readonly groups: ReadonlySet<RouteGroup>;
}

/** The hooks enforcing `options`, by route group (undefined for an open group). */
export interface AuthHooks {
  /** Bearer-token checks, run on request (before the body is read). */
  readonly onRequest: Partial<Record<RouteGroup, (request: FastifyRequest) => Promise<void>>>;
  /** Host hooks, run as preHandler. */
  readonly preHandler: Partial<
    Record<RouteGroup, (request: FastifyRequest, reply: FastifyReply) => Promise<void>>
  >;
  /**
   * The cross-site check of state-changing routes (see `cross-site.ts`), run on request after the
   * bearer-token check (an unauthenticated caller learns nothing else about its request).
   */
  readonly crossSite?: (request: FastifyRequest) => Promise<void>;
}

/** Whether every route group has a guard (nothing is served to an anonymous caller but health and docs). */
export function everyGroupGuarded(options: ConvoyAuthOptions | undefined): boolean {
  return options?.read !== undefined && options.write !== undefined && options.operate !== undefined;
}

/** The route groups without a guard. */
export function openGroups(options: ConvoyAuthOptions | undefined): RouteGroup[] {
  return (['read', 'write', 'operate'] as const).filter((group) => options?.[group] === undefined);
}

/**
 * Build the hooks. An unknown or missing token is `401 unauthorized`; a token known to another group
 * only is `403 forbidden`. Tokens are compared as SHA-256 digests in constant time.
 */
export function authHooks(options: ConvoyAuthOptions = {}): AuthHooks {
  const known: KnownToken[] = [];
  const onRequest: AuthHooks['onRequest'] = {};
  const preHandler: AuthHooks['preHandler'] = {};
  for (const group of ['read', 'write', 'operate'] as const) {
    const guard = options[group];
    if (guard === undefined) continue;
    if (typeof guard === 'function') {
      preHandler[group] = guard;
      continue;
    }
    for (const entry of guard.tokens) {
      const token = typeof entry === 'string' ? entry : entry.token;
      if (token.length === 0) throw new TypeError(`convoyPlugin: an empty bearer token in auth.${group}`);
      const name = typeof entry === 'string' ? 'bearer' : entry.name;
      const hash = digest(token);
      const same = known.find((item) => timingSafeEqual(item.digest, hash));
      if (same) (same.groups as Set<RouteGroup>).add(group);
      else known.push({ digest: hash, name, groups: new Set([group]) });
    }
    onRequest[group] = async (request) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
      if (!match?.[1]) {
        throw new ConvoyError('unauthorized', 'Send "Authorization: Bearer <token>"', { group });
      }
      const hash = digest(match[1]);
      const token = known.find((item) => timingSafeEqual(item.digest, hash));
      if (!token) throw new ConvoyError('unauthorized', 'The bearer token is not valid', { group });
      if (!token.groups.has(group)) {
        throw new ConvoyError('forbidden', `This token may not use ${group} routes`, { group });
      }
      request.convoyPrincipal = token.name;
    };
  }
  return { onRequest, preHandler };
}

/** A guard hook as a route option takes it. */
type GuardHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The route options that put a route in `group` (none: an open route) and, for a state-changing
 * method, behind the cross-site check.
 */
export function guardOptions(
  hooks: AuthHooks,
  group: RouteGroup | undefined,
  stateChanging = false,
): { onRequest?: GuardHook[]; preHandler?: GuardHook[] } {
  const onRequest = [
    ...(group === undefined || hooks.onRequest[group] === undefined ? [] : [hooks.onRequest[group]]),
    ...(stateChanging && hooks.crossSite !== undefined ? [hooks.crossSite] : []),
  ];
  const preHandler = group === undefined ? undefined : hooks.preHandler[group];
  return {
    ...(onRequest.length > 0 ? { onRequest } : {}),
    ...(preHandler ? { preHandler: [preHandler] } : {}),
  };
}
