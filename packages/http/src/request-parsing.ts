/**
 * Validation of everything a request carries besides what the gateway validates itself: path params,
 * query strings, the `Idempotency-Key` header, the body's outer shape and its media type. Nothing is
 * coerced or stripped: a value that is not exactly right is refused with a stable code.
 */
import { ConvoyError, validateConvoyId, validateIdempotencyKey } from '@convoy/core';
import type { ConvoyEvent, ConvoyKey, WaitCondition } from '@convoy/core';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';

/** A convoy type as `defineConvoy` accepts it: anything else cannot be registered. */
export const convoyTypePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const digitsPattern = /^(0|[1-9][0-9]{0,15})$/;

/** Quote a client-supplied value in a message without echoing an unbounded string. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function stringParam(params: unknown, name: string): string {
  const value = (params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** The convoy type of a route, refused as unknown when it could never have been registered. */
export function readConvoyType(params: unknown): string {
  const type = stringParam(params, 'type');
  if (!convoyTypePattern.test(type)) {
    throw new ConvoyError('unknown_convoy_type', `Unknown convoy type ${quote(type)}`, { type });
  }
  return type;
}

/** The `{ type, id }` of a convoy route. Type first: an unknown type is a 404 whatever the id. */
export function readConvoyKey(params: unknown): ConvoyKey {
  const type = readConvoyType(params);
  // Core's rule, so every edge refuses the same ids; checked here so no gateway call is made for them.
  const id = validateConvoyId(stringParam(params, 'id'));
  return { type, id };
}

/** Refuse query parameters a route does not define (a typo must not be silently ignored). */
export function assertQueryNames(query: unknown, allowed: readonly string[]): void {
  for (const name of Object.keys((query as Record<string, unknown> | undefined) ?? {})) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw new ConvoyError(
        'invalid_request',
        `Unknown query parameter ${quote(name)} (expected: ${expected})`,
      );
    }
  }
}

/**
 * An optional integer query parameter in `[min, max]`, written as plain decimal digits. Repeated
 * parameters, signs, fractions and exponents are refused rather than coerced.
 */
export function readIntegerQuery(
  query: unknown,
  name: string,
  range: { readonly min: number; readonly max: number },
): number | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.[name];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && digitsPattern.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConvoyError(
      'invalid_request',
      `Query parameter "${name}" must be an integer from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

/**
 * The condition of `GET .../wait-for`: exactly one of `state=<dot.path>`, `tag=<tag>`, `done=true`, each
 * a single non-empty string (repeated parameters are refused).
 */
export function readWaitCondition(query: unknown): WaitCondition {
  const q = (query as Record<string, unknown> | undefined) ?? {};
  const given = (['state', 'tag', 'done'] as const).filter((name) => q[name] !== undefined);
  const only = given[0];
  if (given.length !== 1 || only === undefined) {
    throw new ConvoyError('invalid_request', 'Give exactly one of the query parameters state, tag, done');
  }
  const raw = q[only];
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 256) {
    throw new ConvoyError('invalid_request', `Query parameter "${only}" must be one non-empty string`);
  }
  if (only === 'done') {
    if (raw !== 'true') throw new ConvoyError('invalid_request', 'Query parameter "done" must be true');
    return { kind: 'done' };
  }
  return only === 'state' ? { kind: 'state', state: raw } : { kind: 'tag', tag: raw };
}

/** The optional `Idempotency-Key` header. */
export function readIdempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  // Node joins repeated headers with ", ", which would make two keys look like one valid key.
  const { rawHeaders } = request.raw;
  let sent = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'idempotency-key') sent += 1;
  }
  if (sent > 1 || typeof raw !== 'string') {
    throw new ConvoyError('invalid_idempotency_key', 'Send the Idempotency-Key header at most once');
  }
  validateIdempotencyKey(raw);
  return raw;
}

/**
 * The outer shape of an event body: a JSON object with a string `type`. Whether the convoy knows that
 * type (and `xstate.*` reservations) is the gateway's call.
 */
export function readEventBody(body: unknown): ConvoyEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConvoyError(
      'invalid_request',
      'Request body must be a JSON object: the XState event, e.g. {"type":"Go"}',
    );
  }
  const { type } = body as { type?: unknown };
  if (typeof type !== 'string') {
    throw new ConvoyError('invalid_request', 'Event must have a string "type"');
  }
  return body as ConvoyEvent;
}

/** The `charset` parameter of a Content-Type header, lower-cased, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const [name, ...rest] = part.split('=');
    if (name?.trim().toLowerCase() === 'charset') {
      return rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

type CallbackBodyParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * A JSON body parser that refuses charsets other than UTF-8 (415) and otherwise delegates to
 * Fastify's own parser with prototype-poisoning protection set to `error`.
 */
export function jsonBodyParser(instance: FastifyInstance): FastifyBodyParser<string> {
  // Fastify's default parser is the callback form at runtime; its declared type is the union of both forms.
  const parse = instance.getDefaultJsonParser('error', 'error') as CallbackBodyParser;
  return (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(
        new ConvoyError(
          'unsupported_media_type',
          `Charset ${quote(charset)} is not supported; send UTF-8 JSON`,
        ),
      );
      return;
    }
    parse(request, body, done);
  };
}
