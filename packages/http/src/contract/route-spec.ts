/**
 * What one route of the API is, written once: method, path, documentation, auth group, the zod schemas
 * of its request parts and of its answers. The plugin registers routes from these specs, the request
 * parser validates with them, and the OpenAPI document is generated from them.
 */
import type { HTTPMethods } from 'fastify';
import type { z } from 'zod';
import type { RouteGroup } from '../auth.ts';

/** A documented answer that is not JSON (SVG, DOT, Prometheus text, an empty 204). */
export interface NonJsonAnswer {
  readonly description: string;
  /** Media type of the body; none for an empty answer. */
  readonly contentType?: string;
}

/** The specification of one route. */
export interface RouteSpec<
  TParams extends z.ZodType | undefined = z.ZodType | undefined,
  TQuery extends z.ZodType | undefined = z.ZodType | undefined,
  THeaders extends z.ZodType | undefined = z.ZodType | undefined,
  TBody extends z.ZodType | undefined = z.ZodType | undefined,
> {
  readonly method: HTTPMethods;
  /** Fastify path, e.g. `/convoys/:type/:id`. */
  readonly url: string;
  readonly tag: 'convoys' | 'operator' | 'types' | 'health';
  readonly summary: string;
  /** The auth group guarding the route; none: always open. */
  readonly group?: RouteGroup;
  /** Largest accepted body in bytes, when smaller than the plugin's. */
  readonly bodyLimit?: number;
  readonly params?: TParams;
  /** Strict: a query parameter the route does not define is refused. */
  readonly querystring?: TQuery;
  readonly headers?: THeaders;
  readonly body?: TBody;
  /** Successful answers by status. */
  readonly responses: Readonly<Record<number, z.ZodType | NonJsonAnswer>>;
  /**
   * Error statuses the route answers with the error body, besides those every route may give (403
   * `host_not_allowed`, 500, 503), a guarded one (401, 403) and a state-changing one (403
   * `cross_site_request`, 415).
   */
  readonly errors?: readonly number[];
}

/** Any route spec. */
export type AnyRouteSpec = RouteSpec<
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined
>;

/** The parsed output of an optional schema. */
export type OutputOf<T extends z.ZodType | undefined> = [NonNullable<T>] extends [never]
  ? undefined
  : z.output<NonNullable<T>>;

/** A request's validated parts, typed from its route spec. */
export interface ParsedRequest<TSpec extends AnyRouteSpec> {
  readonly params: OutputOf<TSpec['params']>;
  readonly query: OutputOf<TSpec['querystring']>;
  readonly headers: OutputOf<TSpec['headers']>;
  readonly body: OutputOf<TSpec['body']>;
}

/** Declare a route spec, keeping its schemas' types. */
export function defineRoute<
  TParams extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  THeaders extends z.ZodType | undefined = undefined,
  TBody extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<TParams, TQuery, THeaders, TBody>): RouteSpec<TParams, TQuery, THeaders, TBody> {
  return spec;
}
