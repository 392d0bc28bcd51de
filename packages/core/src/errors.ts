/**
 * The one error catalogue of Convoy: every failure a caller can see has a stable string code and an
 * HTTP status. Adding a code without a status does not compile (`Record<ConvoyErrorCode, number>`).
 */

/** Every stable error code, with the HTTP status it maps to. Documented in `docs/errors.md`. */
export const errorStatusByCode = {
  invalid_json: 400,
  invalid_request: 400,
  invalid_convoy_id: 400,
  invalid_idempotency_key: 400,
  payload_too_deep: 400,
  invalid_encoding: 400,
  unauthorized: 401,
  forbidden: 403,
  route_not_found: 404,
  unknown_convoy_type: 404,
  convoy_not_found: 404,
  dead_letter_not_found: 404,
  method_not_allowed: 405,
  wait_timeout: 408,
  idempotency_conflict: 409,
  stale_claim: 409,
  convoy_busy: 409,
  operation_not_allowed: 409,
  condition_unreachable: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_content_encoding: 415,
  unknown_event_type: 422,
  reserved_event_type: 422,
  invalid_event_payload: 422,
  backlog_full: 429,
  definition_invalid: 500,
  xstate_unsupported: 500,
  invalid_options: 500,
  version_unknown: 500,
  internal_error: 500,
  redis_misconfigured: 500,
  store_unavailable: 503,
} as const satisfies Record<string, number>;

/** A stable, machine-readable error code. */
export type ConvoyErrorCode = keyof typeof errorStatusByCode;

/** Codes a caller may retry as-is (the same request can succeed later). */
const retryableCodes: ReadonlySet<ConvoyErrorCode> = new Set<ConvoyErrorCode>([
  'backlog_full',
  'store_unavailable',
  'convoy_busy',
  'wait_timeout',
]);

const brand = Symbol.for('convoy.error');

/** Extra, JSON-safe facts attached to an error (never secrets). */
export type ConvoyErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The error type every Convoy package throws. Branded with `Symbol.for` so `isConvoyError` works across
 * duplicated package copies.
 *
 * @example
 * ```ts
 * throw new ConvoyError('unknown_event_type', `Order does not know event "Foo"`, { eventType: 'Foo' });
 * ```
 */
export class ConvoyError extends Error {
  readonly code: ConvoyErrorCode;
  readonly details: ConvoyErrorDetails | undefined;
  readonly [brand] = true;

  constructor(code: ConvoyErrorCode, message: string, details?: ConvoyErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConvoyError';
    this.code = code;
    this.details = details;
  }

  /** The HTTP status for this error's code. */
  get statusCode(): number {
    return errorStatusByCode[this.code];
  }

  /** Whether the same operation may succeed if retried unchanged. */
  get retryable(): boolean {
    return retryableCodes.has(this.code);
  }
}

/** True for any `ConvoyError`, even one thrown by another copy of this package. */
export function isConvoyError(value: unknown): value is ConvoyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
