/**
 * Validation of a request against its route spec: path params, then the query string, then headers,
 * then the body, so an unknown type (404) wins over a bad id (400), and both over a bad query or body.
 * Nothing is coerced or stripped: the first problem is refused with its stable code and a message
 * naming the field.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { quote } from './fields.ts';
import type { IssueParams } from './fields.ts';
import type { AnyRouteSpec, ParsedRequest } from './route-spec.ts';

type Part = 'params' | 'querystring' | 'headers' | 'body';

/** The names an object schema defines (for "expected: ..." in an unknown-parameter message). */
function knownNames(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function isIssueParams(value: unknown): value is IssueParams {
  return typeof value === 'object' && value !== null && typeof (value as IssueParams).code === 'string';
}

/** The refusal for the first issue of a part. */
function toError(part: Part, schema: z.ZodType, issue: z.core.$ZodIssue): ConvoyError {
  if (issue.code === 'custom' && isIssueParams(issue.params)) {
    return new ConvoyError(issue.params.code, issue.message, issue.params.details);
  }
  if (issue.code === 'unrecognized_keys' && part === 'querystring') {
    const names = knownNames(schema);
    const expected = names.length === 0 ? 'none' : names.join(', ');
    return new ConvoyError(
      'invalid_request',
      `Unknown query parameter ${quote(issue.keys[0] ?? '')} (expected: ${expected})`,
    );
  }
  return new ConvoyError('invalid_request', issue.message);
}

/**
 * The headers a spec reads, each as sent: a header sent more than once is given as an array (Node
 * joins repeated headers with ", ", which would make two values look like one valid one).
 */
function headersOf(request: FastifyRequest, schema: z.ZodType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { rawHeaders } = request.raw;
  for (const name of knownNames(schema)) {
    const sent: string[] = [];
    for (let index = 0; index < rawHeaders.length; index += 2) {
      if (rawHeaders[index]?.toLowerCase() === name) sent.push(rawHeaders[index + 1] ?? '');
    }
    if (sent.length > 0) out[name] = sent.length === 1 ? sent[0] : sent;
  }
  return out;
}

function parsePart(part: Part, schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Unknown query parameters first: a typo explains whatever else looks wrong.
  const issues = result.error.issues;
  const first = issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0];
  if (first === undefined) throw new ConvoyError('invalid_request', `Invalid ${part}`);
  throw toError(part, schema, first);
}

/**
 * Validate `request` against `spec`; returns the parsed parts (typed from the spec).
 *
 * @throws ConvoyError with the field's code (`unknown_convoy_type`, `invalid_convoy_id`,
 *   `invalid_idempotency_key`, otherwise `invalid_request`)
 */
export function parseRequest<TSpec extends AnyRouteSpec>(
  spec: TSpec,
  request: FastifyRequest,
): ParsedRequest<TSpec> {
  const params = parsePart('params', spec.params, request.params ?? {});
  // Fastify's query object has no prototype; zod reads it as a plain object.
  const query = parsePart('querystring', spec.querystring, { ...(request.query as object) });
  const headers =
    spec.headers === undefined
      ? undefined
      : parsePart('headers', spec.headers, headersOf(request, spec.headers));
  const body = parsePart('body', spec.body, request.body);
  return { params, query, headers, body } as ParsedRequest<TSpec>;
}
