/**
 * Turns anything thrown while serving a request into the one error body of the API,
 * `{ statusCode, code, message }`, with the status taken from core's `errorStatusByCode`.
 */
import { errorStatusByCode, isConvoyError } from '@convoy/core';
import type { ConvoyErrorCode, ErrorReplyBody } from '@convoy/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export type { ErrorReplyBody };

/** Fastify's own error codes and the Convoy code each one means for a client. */
const fastifyCodes: Readonly<Record<string, ConvoyErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_convoy_id',
  FST_ERR_NOT_FOUND: 'route_not_found',
};

/** Messages we write ourselves for Fastify errors, so clients never see framework wording drift. */
const fastifyMessages: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json (charset utf-8)',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is larger than the limit',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_BAD_URL: 'URL is not validly encoded',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is too long (convoy ids have at most 128 characters)',
};

/** Errors other plugins raise with only an HTTP status: the closest Convoy code for that status. */
const codeByStatus: Readonly<Record<number, ConvoyErrorCode>> = {
  400: 'invalid_request',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Generic messages for server-side failures: the real message may carry internals, so it is logged only. */
const redactedMessages: Partial<Record<ConvoyErrorCode, string>> = {
  store_unavailable: 'The convoy store is unavailable; retry later',
};

function isKnownCode(value: unknown): value is ConvoyErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorStatusByCode, value);
}

function body(code: ConvoyErrorCode, message: string): ErrorReplyBody {
  const statusCode = errorStatusByCode[code];
  if (statusCode >= 500) {
    return { statusCode, code, message: redactedMessages[code] ?? 'Internal server error' };
  }
  return { statusCode, code, message };
}

/**
 * Classify an error. Server-side failures (status >= 500) get a generic message; the caller logs the
 * original.
 */
export function toErrorReply(error: unknown): ErrorReplyBody {
  if (isConvoyError(error)) return body(error.code, error.message);
  if (typeof error !== 'object' || error === null) return body('internal_error', '');
  const { code, statusCode, message } = error as Partial<FastifyError>;
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    const mapped = fastifyCodes[code];
    if (mapped !== undefined) return body(mapped, fastifyMessages[code] ?? text);
    // An error shaped like ours (e.g. from a user's hook) keeps its code when the status agrees.
    if (isKnownCode(code) && errorStatusByCode[code] === statusCode) return body(code, text);
  }
  if (error instanceof SyntaxError && statusCode === 400)
    return body('invalid_json', 'Request body is not valid JSON');
  const byStatus = typeof statusCode === 'number' ? codeByStatus[statusCode] : undefined;
  if (byStatus !== undefined) return body(byStatus, text);
  return body('internal_error', '');
}

/**
 * Send an error as the API's error body. 5xx errors are logged in full (the client gets a generic
 * message); 4xx are the client's doing and logged at info level only.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let payload = toErrorReply(error);
  const limit = request.routeOptions.bodyLimit;
  const fastifyCode = isConvoyError(error) ? undefined : (error as Partial<FastifyError> | null)?.code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' && typeof limit === 'number') {
    payload = { ...payload, message: `Request body is larger than the limit of ${limit} bytes` };
  }
  if (payload.statusCode >= 500) {
    request.log.error({ err: error }, 'request failed');
  } else {
    request.log.info({ code: payload.code, message: payload.message }, 'request refused');
  }
  const allow = isConvoyError(error) ? error.details?.['allow'] : undefined;
  if (payload.code === 'method_not_allowed' && typeof allow === 'string') reply.header('allow', allow);
  if (payload.code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
  // The store is down or slow: the same request may succeed shortly (the node recovers by itself).
  if (payload.code === 'store_unavailable') reply.header('retry-after', '1');
  return reply.code(payload.statusCode).type('application/json; charset=utf-8').send(payload);
}
