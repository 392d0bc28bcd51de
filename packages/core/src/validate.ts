/**
 * Validation of what enters Convoy from outside: convoy ids, event bodies and idempotency keys, plus the
 * body fingerprint used to detect a reused idempotency key with a different body. Every edge (HTTP, CLI,
 * embedded API) goes through these, so bad input is refused the same way everywhere, before any write.
 */
import type { ConvoyDefinition } from './definition.ts';
import { ConvoyError } from './errors.ts';
import type { ConvoyEvent } from './model.ts';
import { checkEventSchema } from './standard-schema.ts';

const convoyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Printable ASCII (space to tilde): safe in headers, logs and Redis keys.
const idempotencyKeyPattern = /^[\x20-\x7E]{1,200}$/;

/**
 * Check a convoy (correlation) id: `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`. Returns it unchanged.
 *
 * @throws ConvoyError `invalid_convoy_id`
 * @example
 * ```ts
 * const id = validateConvoyId(request.params.id); // 'order-42'
 * ```
 */
export function validateConvoyId(id: unknown): string {
  if (typeof id !== 'string' || !convoyIdPattern.test(id)) {
    throw new ConvoyError('invalid_convoy_id', `Convoy id must match ${convoyIdPattern.source}`, {
      id: typeof id === 'string' ? id.slice(0, 200) : typeof id,
    });
  }
  return id;
}

/**
 * Check an idempotency key: 1 to 200 printable ASCII characters. Returns it unchanged.
 *
 * @throws ConvoyError `invalid_idempotency_key`
 */
export function validateIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !idempotencyKeyPattern.test(key)) {
    throw new ConvoyError(
      'invalid_idempotency_key',
      'Idempotency key must be 1 to 200 printable ASCII characters',
    );
  }
  return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The deepest nesting of arrays and objects an event may have at any edge (HTTP refuses deeper bodies
 * earlier, at 64 levels by default). Deeper values could exhaust the stack of the recursive steps that
 * follow (validation, fingerprint, copies, JSON encoding), after part of an accept was written.
 */
export const maxEventDepth = 256;

/**
 * Whether `value` nests arrays and objects deeper than `limit` (iterative: safe on any depth). Each
 * object is walked once, so a cycle (refused later as not JSON) or a shared sub-object costs nothing.
 */
function deeperThan(value: unknown, limit: number): boolean {
  const seen = new Set<object>();
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top.value !== 'object' || top.value === null || seen.has(top.value)) continue;
    seen.add(top.value);
    const depth = top.depth + 1;
    if (depth > limit) return true;
    for (const item of Object.values(top.value)) stack.push({ value: item, depth });
  }
  return false;
}

/** The path of the first value that is not JSON (function, undefined, NaN, Date, Map, cycle...), or null. */
function firstNonJson(value: unknown, path: string, seen: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : path;
    case 'object': {
      if (value === null) return null;
      if (seen.has(value)) return path;
      if (!Array.isArray(value) && !isPlainObject(value)) return path;
      seen.add(value);
      const entries: Array<[string, unknown]> = Array.isArray(value)
        ? value.map((item, index) => [`${path}[${index}]`, item])
        : Object.entries(value).map(([field, item]) => [`${path}.${field}`, item]);
      for (const [childPath, item] of entries) {
        const bad = firstNonJson(item, childPath, seen);
        if (bad !== null) return bad;
      }
      seen.delete(value);
      return null;
    }
    default:
      return path;
  }
}

/** A client's string quoted for a message, cut at 80 characters (a 60 KB type is not echoed back). */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * Check an event body for a definition: a plain JSON object with a string `type` that the definition's
 * machine declares. The body is returned as is: nothing is coerced, stripped or defaulted, so what the
 * machine sees is exactly what the client sent.
 *
 * @throws ConvoyError `invalid_request` (not a JSON object, no string `type`), `payload_too_deep`
 * (nested deeper than {@link maxEventDepth}), `reserved_event_type`
 * (`xstate.*`), `unknown_event_type` (details name the type and the accepted ones)
 * @example
 * ```ts
 * const event = validateEvent(orderDefinition, { type: 'PaymentReceived', amount: 10 });
 * ```
 */
export function validateEvent(definition: ConvoyDefinition, body: unknown): ConvoyEvent {
  if (!isPlainObject(body)) {
    throw new ConvoyError('invalid_request', 'Event must be a JSON object with a string "type"');
  }
  const type = body['type'];
  if (typeof type !== 'string') {
    throw new ConvoyError('invalid_request', 'Event must have a string "type"');
  }
  if (deeperThan(body, maxEventDepth)) {
    throw new ConvoyError(
      'payload_too_deep',
      `Event nests arrays and objects deeper than ${maxEventDepth} levels`,
      {
        maxDepth: maxEventDepth,
      },
    );
  }
  const bad = firstNonJson(body, '$', new Set());
  if (bad !== null) {
    throw new ConvoyError('invalid_request', `Event is not plain JSON at ${bad}`, { path: bad });
  }
  if (type.startsWith('xstate.')) {
    throw new ConvoyError('reserved_event_type', `Event type ${shown(type)} is reserved for XState`, {
      eventType: type,
    });
  }
  if (!definition.eventTypes.includes(type)) {
    throw new ConvoyError(
      'unknown_event_type',
      `Convoy "${definition.type}" does not know event ${shown(type)}`,
      {
        convoyType: definition.type,
        eventType: type,
        accepted: definition.eventTypes,
      },
    );
  }
  const schema = definition.schemas[type];
  if (schema !== undefined) checkEventSchema(definition.type, type, schema, body);
  return body as ConvoyEvent;
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit) at every depth, no whitespace. Two values
 * that are equal as JSON give the same string whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.keys(value)
      .filter((field) => (value as Record<string, unknown>)[field] !== undefined)
      .sort()
      .map((field) => `${JSON.stringify(field)}:${canonicalJson((value as Record<string, unknown>)[field])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * 64-bit FNV-1a over UTF-8, as 16 hex digits. Computed on four 16-bit limbs so it stays in exact
 * double arithmetic (no BigInt, no node:crypto: core runs anywhere).
 */
export function fnv1a64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // Offset basis 0xcbf29ce484222325, lowest limb first.
  let v0 = 0x2325;
  let v1 = 0x8422;
  let v2 = 0x9ce4;
  let v3 = 0xcbf2;
  for (const byte of bytes) {
    v0 ^= byte;
    // Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3.
    const t0 = v0 * 0x1b3;
    let t1 = v1 * 0x1b3;
    let t2 = v2 * 0x1b3 + (v0 << 8);
    const t3 = v3 * 0x1b3 + (v1 << 8);
    t1 += t0 >>> 16;
    v0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    v1 = t1 & 0xffff;
    v3 = (t3 + (t2 >>> 16)) & 0xffff;
    v2 = t2 & 0xffff;
  }
  return [v3, v2, v1, v0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

/**
 * A stable fingerprint of an event body: `fnv1a64:<hex>` of its canonical JSON, so `{a,b}` and `{b,a}`
 * match. Stored with an idempotency key; the same key with another fingerprint is `idempotency_conflict`.
 *
 * @example
 * ```ts
 * eventFingerprint({ type: 'Paid', amount: 1 }) === eventFingerprint({ amount: 1, type: 'Paid' }); // true
 * ```
 */
export function eventFingerprint(event: ConvoyEvent): string {
  return `fnv1a64:${fnv1a64(canonicalJson(event))}`;
}
