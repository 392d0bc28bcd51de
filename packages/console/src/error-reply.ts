/**
 * The console API answers errors with the same body as the Convoy HTTP API, `{ statusCode, code, message }`,
 * with the status from core's one table (`errorStatusByCode`).
 */
import { errorStatusByCode, isConvoyError } from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The body of every console API error. */
export interface ConsoleErrorBody {
  readonly statusCode: number;
  readonly code: ConvoyErrorCode;
  readonly message: string;
}

/** Classify an error; anything that is not a 4xx the caller caused becomes a redacted `internal_error`. */
export function toConsoleError(error: unknown): ConsoleErrorBody {
  if (isConvoyError(error)) {
    const statusCode = errorStatusByCode[error.code];
    const message = statusCode >= 500 ? 'Internal server error' : error.message;
    return { statusCode, code: error.code, message };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (statusCode === 404) return { statusCode, code: 'route_not_found', message: 'Not found' };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { statusCode: 400, code: 'invalid_request', message: 'Invalid request' };
  }
  return { statusCode: 500, code: 'internal_error', message: 'Internal server error' };
}

/** Send an error body; 5xx are logged in full (the client only sees a generic message). */
export function sendConsoleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = toConsoleError(error);
  if (body.statusCode >= 500) request.log.error({ err: error }, 'console request failed');
  return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}
