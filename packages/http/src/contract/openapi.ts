/**
 * Route specs as the Fastify schemas `@fastify/swagger` reads: zod schemas turned into JSON Schema
 * (OpenAPI 3.0 flavour). Only the document uses them; requests are validated by `parseRequest` with the
 * zod schemas themselves, so the document and the validation cannot disagree.
 */
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { safeMethods } from '../cross-site.ts';
import { errorItem } from './responses.ts';
import type { AnyRouteSpec, NonJsonAnswer } from './route-spec.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** JSON Schema of a request part; a part that accepts "nothing" (`nullish`) documents its object. */
function requestSchema(schema: z.ZodType): JsonSchema {
  return jsonSchema(schema, 'input');
}

function answerSchema(answer: z.ZodType | NonJsonAnswer): JsonSchema {
  if (answer instanceof z.ZodType) return jsonSchema(answer, 'output');
  if (answer.contentType === undefined) return { type: 'null', description: answer.description };
  return {
    description: answer.description,
    content: { [answer.contentType]: { schema: { type: 'string' } } },
  };
}

const errorSchema = jsonSchema(errorItem, 'output');

/** The Fastify `schema` option of a route (documentation only: validation is `parseRequest`'s). */
export function toFastifySchema(spec: AnyRouteSpec): FastifySchema {
  const response: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(spec.responses)) response[status] = answerSchema(answer);
  // Every route may answer 403 `host_not_allowed`; a state-changing one 403 `cross_site_request` and 415
  // (no JSON content type nor `X-Convoy-Request`); a guarded one 401 / 403.
  const errors = new Set([
    ...(spec.errors ?? []),
    ...(spec.group === undefined ? [] : [401]),
    403,
    ...(safeMethods.has(spec.method) ? [] : [415]),
    500,
    503,
  ]);
  for (const status of [...errors].sort()) response[String(status)] = errorSchema;
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.params === undefined ? {} : { params: requestSchema(spec.params) }),
    ...(spec.querystring === undefined ? {} : { querystring: requestSchema(spec.querystring) }),
    ...(spec.headers === undefined ? {} : { headers: requestSchema(spec.headers) }),
    ...(spec.body === undefined ? {} : { body: requestSchema(spec.body) }),
    ...(spec.group === undefined ? {} : { security: [{ bearer: [] }] }),
    response,
  };
}
